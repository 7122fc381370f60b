// The building blocks of the declarative key table (ConfigurationKeys.swift): one
// `ConfigurationKey` per setting, made by the typed constructors below (integer, duration,
// string, choice, list, ...). A key knows its path, how to read a raw value from YAML or the
// environment into `ChorusConfiguration`, and how to print its current value back as YAML.

/// Where a raw value was read.
enum ValueSource: Sendable, Equatable, CustomStringConvertible {
    case file(name: String, line: Int, column: Int)
    case environment(variable: String)

    var description: String {
        switch self {
        case let .file(name, line, column): "\(name), line \(line), column \(column)"
        case let .environment(variable): "environment variable \(variable)"
        }
    }
}

/// One scalar as read, before it is typed.
struct RawScalar {
    var text: String
    /// False for a quoted YAML scalar: it is a string, never a number.
    var mayBeNumber: Bool
    /// A YAML null (`~`, `null`, nothing) or an empty environment variable.
    var isNull: Bool
    var source: ValueSource
}

/// A key's value as read: one scalar, or a list of them (a YAML sequence or a comma-separated
/// environment variable).
enum RawValue {
    case scalar(RawScalar)
    case list([RawScalar], source: ValueSource)

    var source: ValueSource {
        switch self {
        case let .scalar(scalar): scalar.source
        case let .list(_, source): source
        }
    }
}

/// What is wrong with a value; `source` overrides the key's location (e.g. one list element).
struct ValueProblem: Error {
    var message: String
    var source: ValueSource?

    init(_ message: String, at source: ValueSource? = nil) {
        self.message = message
        self.source = source
    }
}

struct ConfigurationKey {
    enum Shape { case scalar, list }

    /// Dotted key path, e.g. `sip.timers.t1_ms`.
    let path: String
    let shape: Shape
    /// Type and range, for messages and the settings reference, e.g. "integer, 1 to 60000 (milliseconds)".
    let summary: String
    /// Reads the raw value into the configuration, or throws what is wrong with it.
    let apply: (inout ChorusConfiguration, RawValue) throws(ValueProblem) -> Void
    /// The configuration's current value as YAML text (a scalar or a flow list).
    let render: (ChorusConfiguration) -> String

    var components: [String] {
        path.split(separator: ".").map(String.init)
    }

    /// `sip.timers.t1_ms` → `CHORUS_SIP_TIMERS_T1_MS`
    var environmentVariable: String {
        ConfigurationLoader.environmentPrefix + components.map { $0.uppercased() }.joined(separator: "_")
    }
}

// MARK: - Typed constructors

typealias ConfigurationPath<Value> = WritableKeyPath<ChorusConfiguration, Value>

extension ConfigurationKey {
    /// A single value, parsed by `parse`.
    static func scalar<Value>(
        _ path: String, _ field: ConfigurationPath<Value>, summary: String,
        parse: @escaping (RawScalar) throws(ValueProblem) -> Value,
        render: @escaping (Value) -> String
    ) -> ConfigurationKey {
        ConfigurationKey(
            path: path, shape: .scalar, summary: summary,
            apply: { (configuration: inout ChorusConfiguration, raw: RawValue) throws(ValueProblem) in
                guard case let .scalar(scalar) = raw else {
                    throw ValueProblem("expected a single value (\(summary)), got a list")
                }
                configuration[keyPath: field] = try parse(scalar)
            },
            render: { render($0[keyPath: field]) })
    }

    /// A list (YAML sequence, or comma-separated in the environment) that replaces the default.
    static func list<Element: Hashable>(
        _ path: String, _ field: ConfigurationPath<[Element]>, summary: String, minimumCount: Int = 0,
        element parse: @escaping (RawScalar) throws(ValueProblem) -> Element,
        render: @escaping (Element) -> String
    ) -> ConfigurationKey {
        ConfigurationKey(
            path: path, shape: .list, summary: summary,
            apply: { (configuration: inout ChorusConfiguration, raw: RawValue) throws(ValueProblem) in
                guard case let .list(scalars, _) = raw else {
                    throw ValueProblem("expected a list (\(summary)), got a single value")
                }
                guard scalars.count >= minimumCount else {
                    throw ValueProblem("needs at least \(minimumCount) entr\(minimumCount == 1 ? "y" : "ies"), got \(scalars.count)")
                }
                var elements: [Element] = []
                var seen: Set<Element> = []
                for scalar in scalars {
                    let element = try parse(scalar)
                    guard seen.insert(element).inserted else {
                        throw ValueProblem("\(render(element)) is listed twice", at: scalar.source)
                    }
                    elements.append(element)
                }
                configuration[keyPath: field] = elements
            },
            render: { configuration in
                "[" + configuration[keyPath: field].map { yamlQuoted(render($0)) }.joined(separator: ", ") + "]"
            })
    }

    static func integer(_ path: String, _ field: ConfigurationPath<Int>, range: ClosedRange<Int>) -> ConfigurationKey {
        scalar(
            path, field, summary: "integer, \(range.lowerBound) to \(range.upperBound)",
            parse: { (scalar: RawScalar) throws(ValueProblem) in try parseInteger(scalar, range: range) },
            render: { String($0) })
    }

    enum DurationUnit: String {
        case milliseconds, seconds

        func duration(_ count: Int) -> Duration {
            switch self {
            case .milliseconds: .milliseconds(count)
            case .seconds: .seconds(count)
            }
        }

        func count(_ duration: Duration) -> Int {
            switch self {
            case .milliseconds: Int(duration / .milliseconds(1))
            case .seconds: Int(duration / .seconds(1))
            }
        }
    }

    /// A whole number of `unit`s, e.g. `t1_ms: 500`.
    static func duration(
        _ path: String, _ field: ConfigurationPath<Duration>, unit: DurationUnit, range: ClosedRange<Int>
    ) -> ConfigurationKey {
        scalar(
            path, field, summary: "integer, \(range.lowerBound) to \(range.upperBound) (\(unit.rawValue))",
            parse: { (scalar: RawScalar) throws(ValueProblem) in unit.duration(try parseInteger(scalar, range: range)) },
            render: { String(unit.count($0)) })
    }

    /// A non-empty string of printable characters (no control characters: values go into headers).
    static func text(_ path: String, _ field: ConfigurationPath<String>) -> ConfigurationKey {
        scalar(
            path, field, summary: "non-empty text",
            parse: { (scalar: RawScalar) throws(ValueProblem) in
                guard !scalar.isNull, !scalar.text.isEmpty else {
                    throw ValueProblem("must not be empty")
                }
                guard !scalar.text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw ValueProblem("must not contain control characters (line breaks, tabs, ...)")
                }
                return scalar.text
            },
            render: { yamlQuoted($0) })
    }

    /// A file path, or empty for none (`nil`).
    static func optionalPath(_ path: String, _ field: ConfigurationPath<String?>) -> ConfigurationKey {
        scalar(
            path, field, summary: "file path, or empty",
            parse: { (scalar: RawScalar) throws(ValueProblem) -> String? in
                if scalar.isNull || scalar.text.isEmpty { return nil }
                guard !scalar.text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw ValueProblem("must not contain control characters (line breaks, tabs, ...)")
                }
                return scalar.text
            },
            render: { yamlQuoted($0 ?? "") })
    }

    /// A keypad sequence: 1 to 4 of the DTMF keys `0-9 * # A-D`.
    static func keySequence(_ path: String, _ field: ConfigurationPath<String>) -> ConfigurationKey {
        scalar(
            path, field, summary: "1 to 4 keypad keys (0-9 * # A-D)",
            parse: { (scalar: RawScalar) throws(ValueProblem) in
                let text = scalar.text.uppercased()
                guard !scalar.isNull, (1...4).contains(text.count), text.allSatisfy({ "0123456789*#ABCD".contains($0) }) else {
                    throw ValueProblem("\"\(scalar.text)\" is not a keypad sequence (1 to 4 of 0-9 * # A-D)")
                }
                return text
            },
            render: { yamlQuoted($0) })
    }

    /// A SIP user part made of letters, digits and `. _ -`.
    static func userName(_ path: String, _ field: ConfigurationPath<String>) -> ConfigurationKey {
        scalar(
            path, field, summary: "user name (letters, digits, . _ -)",
            parse: { (scalar: RawScalar) throws(ValueProblem) in
                guard !scalar.isNull, UserCredential.isValidName(scalar.text) else {
                    throw ValueProblem("\"\(scalar.text)\" is not a user name (letters, digits, . _ -)")
                }
                return scalar.text
            },
            render: { $0 })
    }

    /// A host name, IPv4 or IPv6 address (brackets optional, stored without); empty is `nil`.
    static func optionalHost(_ path: String, _ field: ConfigurationPath<String?>) -> ConfigurationKey {
        scalar(
            path, field, summary: "host name or IP address, or empty",
            parse: { (scalar: RawScalar) throws(ValueProblem) -> String? in
                let text = scalar.text
                if scalar.isNull || text.isEmpty { return nil }
                if text.hasPrefix("["), text.hasSuffix("]") {
                    let inner = text.dropFirst().dropLast()
                    guard HostSyntax.isIPv6(inner) else {
                        throw ValueProblem("\"\(text)\" is not an IPv6 address (brackets are only for IPv6)")
                    }
                    return String(inner)
                }
                if HostSyntax.isIPv6(Substring(text)) { return text }
                if let problem = HostSyntax.problem(withNameOrIPv4: Substring(text)) {
                    throw ValueProblem(problem)
                }
                return text
            },
            render: { yamlQuoted($0 ?? "") })
    }

    /// One of a fixed set of names, matched without regard to case.
    static func choice<Value: Equatable>(
        _ path: String, _ field: ConfigurationPath<Value>, what: String, _ choices: KeyValuePairs<String, Value>
    ) -> ConfigurationKey {
        let names = choices.map(\.key)
        let list = names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        return scalar(
            path, field, summary: names.joined(separator: " | "),
            parse: { (scalar: RawScalar) throws(ValueProblem) in
                guard !scalar.isNull else {
                    throw ValueProblem("missing value (expected \(list))")
                }
                guard let match = choices.first(where: { $0.key == scalar.text.lowercased() }) else {
                    throw ValueProblem("unknown \(what) \"\(scalar.text)\" (expected \(list))")
                }
                return match.value
            },
            render: { value in choices.first(where: { $0.value == value })?.key ?? "?" })
    }

    static func parseInteger(_ scalar: RawScalar, range: ClosedRange<Int>) throws(ValueProblem) -> Int {
        guard !scalar.isNull else {
            throw ValueProblem("missing value (expected an integer, \(range.lowerBound) to \(range.upperBound))")
        }
        let text = scalar.text
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ValueProblem("expected an integer, got \"\(text)\"")
        }
        guard scalar.mayBeNumber else {
            throw ValueProblem("expected an integer, got the string \"\(text)\" (remove the quotes)")
        }
        guard let value = Int(text), range.contains(value) else {
            throw ValueProblem("\(text) is out of range (\(range.lowerBound) to \(range.upperBound))")
        }
        return value
    }
}

/// A YAML double-quoted scalar.
func yamlQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if scalar.properties.generalCategory == .control {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
