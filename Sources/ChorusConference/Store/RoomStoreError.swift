import GRDB

/// Why a ``RoomStore`` operation failed. Its ``description`` is fit for a log line.
///
/// It keeps SQLite's code and message but not GRDB's error itself: that one carries the SQL
/// statement and, if a configuration ever made them public, its arguments, which include PINs.
public struct RoomStoreError: Error, Sendable, CustomStringConvertible {
    /// What the store was doing.
    public enum Operation: String, Sendable {
        case open
        case migrate
        case read
        case save
        case delete
        case update
    }

    /// What the store was doing when it failed.
    public var operation: Operation
    /// The room concerned, if the operation was about one room.
    public var roomID: String?
    /// SQLite's extended result code, when SQLite reported the failure.
    public var sqliteCode: Int32?
    /// What went wrong, without statement arguments.
    public var reason: String

    public var description: String {
        let room = roomID.map { " room '\($0)'" } ?? ""
        let code = sqliteCode.map { " (SQLite \($0))" } ?? ""
        return "room store: \(operation.rawValue)\(room) failed: \(reason)\(code)"
    }

    init(_ operation: Operation, roomID: String?, reason: String, sqliteCode: Int32? = nil) {
        self.operation = operation
        self.roomID = roomID
        self.reason = reason
        self.sqliteCode = sqliteCode
    }

    /// Wraps whatever the database layer threw.
    init(_ operation: Operation, roomID: String?, underlying error: any Error) {
        if let error = error as? DatabaseError {
            // `message` is SQLite's own text (e.g. "CHECK constraint failed: ..."): no values.
            self.init(
                operation, roomID: roomID,
                reason: error.message ?? "SQLite error",
                sqliteCode: error.extendedResultCode.rawValue)
        } else {
            // Only file system errors get here (creating the directory): a path, never a PIN.
            self.init(operation, roomID: roomID, reason: String(describing: error))
        }
    }
}
