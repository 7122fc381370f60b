/// Columns of text aligned with spaces, for replies read in a SIP client's chat window.
struct TextTable {
    /// The column titles.
    var header: [String]
    /// The cells, one array per row, as many as ``header``.
    var rows: [[String]] = []

    /// The gap between columns.
    static let gap = "  "

    /// The table as lines; the last column is not padded, so no line ends in spaces.
    func rendered() -> String {
        let lines = [self.header] + self.rows.map { $0.map(CommandText.singleLine) }
        var widths = Array(repeating: 0, count: self.header.count)
        for line in lines {
            for (column, cell) in line.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        return lines.map { line in
            var text = ""
            for (column, cell) in line.enumerated() {
                if column > 0 {
                    text += Self.gap
                }
                text += cell
                if column < line.count - 1 {
                    text += String(repeating: " ", count: max(0, widths[column] - cell.count))
                }
            }
            return text
        }.joined(separator: "\n")
    }
}
