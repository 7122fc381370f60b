import Foundation
import Yams

/// Builds a ``ChorusConfiguration``: the embedded default, overlaid by a YAML file (complete or
/// partial), overlaid by `CHORUS_*` environment variables. Every problem found is reported in one
/// ``ConfigurationError``, one line each, naming the file, line and column (or the environment
/// variable) and the key path. Nothing falls back silently.
public enum ConfigurationLoader {
    /// Every configuration variable starts with this.
    public static let environmentPrefix = "CHORUS_"
    /// Reserved: the path of the configuration file (read by the CLI, not a setting).
    public static let configPathEnvironmentVariable = "CHORUS_CONFIG"
    /// How messages name ``ChorusConfiguration/embeddedDefaultYAML``.
    public static let embeddedSourceName = "embedded default"

    /// Parses YAML text (sourceName used in messages, e.g. a path or "embedded default"), then
    /// applies env overrides.
    public static func load(
        yaml: String, sourceName: String, environment: [String: String]
    ) throws(ConfigurationError) -> ChorusConfiguration {
        var layer = defaultLayer
        var problems = Problems()
        let table = KeyTable(keys)
        applyYAML(yaml, sourceName: sourceName, rank: 1, table: table, to: &layer, problems: &problems)
        applyEnvironment(environment, table: table, to: &layer, problems: &problems)
        if problems.isEmpty {
            checkConstraints(layer, problems: &problems)
        }
        try problems.throwIfAny()
        return layer.configuration
    }

    /// path nil → embedded default. Reads the file, errors clearly if unreadable.
    public static func load(path: String?, environment: [String: String]) throws(ConfigurationError) -> ChorusConfiguration {
        guard let path else {
            return try load(yaml: ChorusConfiguration.embeddedDefaultYAML, sourceName: embeddedSourceName, environment: environment)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigurationError(message: "\(path): cannot read the configuration file: no such file")
        }
        guard !isDirectory.boolValue else {
            throw ConfigurationError(message: "\(path): cannot read the configuration file: it is a directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(message: "\(path): cannot read the configuration file: permission denied or I/O error")
        }
        guard let yaml = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(message: "\(path): cannot read the configuration file: it is not UTF-8 text")
        }
        return try load(yaml: yaml, sourceName: path, environment: environment)
    }

    /// One line per setting: key path, environment variable, type and range, default.
    public static var settingsReference: String {
        let defaults = ChorusConfiguration.defaults
        return keys.map { key in
            "\(key.path) (\(key.environmentVariable)): \(key.summary); default \(key.render(defaults))"
        }.joined(separator: "\n")
    }

    /// `configuration` as YAML that ``load(yaml:sourceName:environment:)`` reads back to an equal value
    /// (for printing the effective configuration).
    public static func render(_ configuration: ChorusConfiguration) -> String {
        var out = ""
        var open: [String] = []
        for key in keys {
            let components = key.components
            let sections = Array(components.dropLast())
            var common = 0
            while common < min(open.count, sections.count), open[common] == sections[common] {
                common += 1
            }
            open = Array(open.prefix(common))
            for section in sections.dropFirst(common) {
                out += String(repeating: "  ", count: open.count) + section + ":\n"
                open.append(section)
            }
            out += String(repeating: "  ", count: open.count) + components.last! + ": " + key.render(configuration) + "\n"
        }
        return out
    }

    // MARK: - Layers

    /// A configuration and, per key path, where its value was last set.
    struct Layer: Sendable {
        struct Origin: Sendable {
            /// 0 embedded default, 1 file, 2 environment.
            var rank: Int
            var source: ValueSource
        }

        var configuration: ChorusConfiguration
        var origins: [String: Origin]
    }

    /// ``ChorusConfiguration/embeddedDefaultYAML`` applied to ``ChorusConfiguration/unset``.
    static let defaultLayer: Layer = {
        var layer = Layer(configuration: .unset, origins: [:])
        var problems = Problems()
        applyYAML(
            ChorusConfiguration.embeddedDefaultYAML, sourceName: embeddedSourceName, rank: 0,
            table: KeyTable(keys), to: &layer, problems: &problems)
        checkConstraints(layer, problems: &problems)
        if let error = problems.error {
            fatalError("The embedded default configuration is invalid:\n\(error.message)")
        }
        return layer
    }()

    // MARK: - YAML

    static func applyYAML(
        _ yaml: String, sourceName: String, rank: Int, table: KeyTable, to layer: inout Layer, problems: inout Problems
    ) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            problems.append(yamlSyntaxMessage(error, sourceName: sourceName))
            return
        }
        guard let root else { return }  // empty, or only comments
        if case let .scalar(scalar) = root, isNull(scalar) { return }
        walk(root, section: [], sourceName: sourceName, rank: rank, table: table, layer: &layer, problems: &problems)
    }

    private static func walk(
        _ node: Node, section: [String], sourceName: String, rank: Int, table: KeyTable,
        layer: inout Layer, problems: inout Problems
    ) {
        func source(_ node: Node) -> ValueSource {
            .file(name: sourceName, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
        }
        let sectionPath = section.joined(separator: ".")
        guard case let .mapping(mapping) = node else {
            if case let .scalar(scalar) = node, isNull(scalar) { return }  // `sip:` with nothing under it
            let children = table.children(of: section).joined(separator: ", ")
            let what = section.isEmpty ? "the top level" : sectionPath
            problems.append("\(source(node)): \(what): expected a mapping of settings (\(children)), got \(describe(node))")
            return
        }
        for (keyNode, valueNode) in mapping {
            guard case let .scalar(keyScalar) = keyNode else {
                problems.append("\(source(keyNode)): \(section.isEmpty ? "top level" : sectionPath): keys must be plain names")
                continue
            }
            let components = section + [keyScalar.string]
            let path = components.joined(separator: ".")
            if let key = table.key(components) {
                let raw: RawValue
                switch valueNode {
                case let .scalar(scalar):
                    raw = .scalar(rawScalar(scalar, source: source(valueNode)))
                case let .sequence(sequence):
                    var elements: [RawScalar] = []
                    var ok = true
                    for element in sequence {
                        guard case let .scalar(scalar) = element else {
                            problems.append("\(source(element)): \(path): list entries must be single values, got \(describe(element))")
                            ok = false
                            continue
                        }
                        elements.append(rawScalar(scalar, source: source(element)))
                    }
                    guard ok else { continue }
                    raw = .list(elements, source: source(valueNode))
                case .mapping, .alias:
                    problems.append("\(source(valueNode)): \(path): expected \(key.summary), got \(describe(valueNode))")
                    continue
                }
                apply(key, raw, rank: rank, layer: &layer, problems: &problems)
            } else if table.isSection(components) {
                walk(valueNode, section: components, sourceName: sourceName, rank: rank, table: table, layer: &layer, problems: &problems)
            } else {
                problems.append("\(source(keyNode)): \(path): unknown key\(table.suggestion(for: components))")
            }
        }
    }

    private static func rawScalar(_ scalar: Node.Scalar, source: ValueSource) -> RawScalar {
        RawScalar(text: scalar.string, mayBeNumber: scalar.style == .plain, isNull: isNull(scalar), source: source)
    }

    private static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): isNull(scalar) ? "nothing" : "the value \"\(scalar.string)\""
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .alias: "an alias"
        }
    }

    private static func yamlSyntaxMessage(_ error: any Error, sourceName: String) -> String {
        func at(_ mark: Mark) -> String { "\(sourceName), line \(mark.line), column \(mark.column)" }
        guard let error = error as? YamlError else {
            return "\(sourceName): invalid YAML: \(error)"
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let while_ = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return "\(at(mark)): invalid YAML: \(problem)\(while_)"
        case let .duplicatedKeysInMapping(duplicates, context):
            let names = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return "\(at(context.mark)): duplicate key \(names) in the same mapping"
        case let .reader(problem, offset, _, _):
            return "\(sourceName): invalid YAML text: \(problem)\(offset.map { " at character \($0)" } ?? "")"
        default:
            return "\(sourceName): invalid YAML: \(error)"
        }
    }

    // MARK: - Environment

    static func applyEnvironment(
        _ environment: [String: String], table: KeyTable, to layer: inout Layer, problems: inout Problems
    ) {
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix(environmentPrefix) {
            if name == configPathEnvironmentVariable { continue }
            let source = ValueSource.environment(variable: name)
            guard let key = table.key(environmentVariable: name) else {
                problems.append("\(source): unknown setting\(table.suggestion(forEnvironmentVariable: name))")
                continue
            }
            let text = value.trimmingCharacters(in: .whitespaces)
            let raw: RawValue
            switch key.shape {
            case .scalar:
                raw = .scalar(RawScalar(text: text, mayBeNumber: true, isNull: text.isEmpty, source: source))
            case .list:
                let elements = text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map { (part: Substring) -> RawScalar in
                    let element = part.trimmingCharacters(in: .whitespaces)
                    return RawScalar(text: element, mayBeNumber: true, isNull: element.isEmpty, source: source)
                }
                raw = .list(elements, source: source)
            }
            apply(key, raw, rank: 2, layer: &layer, problems: &problems)
        }
    }

    // MARK: - Applying and checking

    private static func apply(_ key: ConfigurationKey, _ raw: RawValue, rank: Int, layer: inout Layer, problems: inout Problems) {
        do {
            try key.apply(&layer.configuration, raw)
            layer.origins[key.path] = Layer.Origin(rank: rank, source: raw.source)
        } catch {
            problems.append("\(error.source ?? raw.source): \(key.path): \(error.message)")
        }
    }

    static func checkConstraints(_ layer: Layer, problems: inout Problems) {
        for constraint in constraints {
            guard let message = constraint.check(layer.configuration) else { continue }
            let blamed = constraint.paths.enumerated().compactMap { index, path in
                layer.origins[path].map { (index: index, path: path, origin: $0) }
            }.max { ($0.origin.rank, $0.index) < ($1.origin.rank, $1.index) }
            if let blamed {
                problems.append("\(blamed.origin.source): \(blamed.path): \(message)")
            } else {
                problems.append(message)
            }
        }
    }

    struct Problems {
        private var messages: [String] = []

        var isEmpty: Bool { messages.isEmpty }

        mutating func append(_ message: String) {
            messages.append(message)
        }

        var error: ConfigurationError? {
            messages.isEmpty ? nil : ConfigurationError(message: messages.joined(separator: "\n"))
        }

        func throwIfAny() throws(ConfigurationError) {
            if let error { throw error }
        }
    }
}

/// The key table indexed by path, section and environment variable.
struct KeyTable {
    private let keysByPath: [[String]: ConfigurationKey]
    private let keysByVariable: [String: ConfigurationKey]
    /// Each section's child names in table order (`[]` is the top level).
    private let childrenBySection: [[String]: [String]]

    init(_ keys: [ConfigurationKey]) {
        var byPath: [[String]: ConfigurationKey] = [:]
        var byVariable: [String: ConfigurationKey] = [:]
        var children: [[String]: [String]] = [:]
        for key in keys {
            let components = key.components
            byPath[components] = key
            byVariable[key.environmentVariable] = key
            for depth in 0..<components.count {
                let section = Array(components.prefix(depth))
                if !(children[section] ?? []).contains(components[depth]) {
                    children[section, default: []].append(components[depth])
                }
            }
        }
        keysByPath = byPath
        keysByVariable = byVariable
        childrenBySection = children
    }

    func key(_ components: [String]) -> ConfigurationKey? { keysByPath[components] }

    func key(environmentVariable name: String) -> ConfigurationKey? { keysByVariable[name] }

    func isSection(_ components: [String]) -> Bool { childrenBySection[components] != nil }

    func children(of section: [String]) -> [String] { childrenBySection[section] ?? [] }

    /// " (did you mean sip.timers?)", or " (expected one of: ...)" listing the section's keys.
    func suggestion(for components: [String]) -> String {
        let name = components.last ?? ""
        let section = Array(components.dropLast())
        let siblings = children(of: section)
        // The unit suffix left out, e.g. `t1` for `t1_ms`, `grace` for `grace_seconds`.
        if let completed = siblings.first(where: { $0.hasPrefix(name + "_") }) {
            return " (did you mean \((section + [completed]).joined(separator: "."))?)"
        }
        if let close = siblings.min(by: { editDistance($0, name) < editDistance($1, name) }),
            editDistance(close, name) <= max(1, name.count / 3) {
            return " (did you mean \((section + [close]).joined(separator: "."))?)"
        }
        // The right name in the wrong place, e.g. `timers:` at the top level.
        let elsewhere = childrenBySection.flatMap { section, names in
            names.filter { $0 == name }.map { (section + [$0]).joined(separator: ".") }
        }.sorted()
        if let first = elsewhere.first {
            return " (did you mean \(first)?)"
        }
        return " (expected one of: \(siblings.joined(separator: ", ")))"
    }

    func suggestion(forEnvironmentVariable name: String) -> String {
        let known = keysByVariable.keys.sorted()
        if let close = known.min(by: { editDistance($0, name) < editDistance($1, name) }),
            editDistance(close, name) <= 3 {
            return " (did you mean \(close)?)"
        }
        return "; CHORUS_* variables are reserved for configuration keys (and \(ConfigurationLoader.configPathEnvironmentVariable))"
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
