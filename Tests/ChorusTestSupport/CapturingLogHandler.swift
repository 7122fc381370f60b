import Logging
import NIOConcurrencyHelpers

/// A log handler that keeps the messages, for tests that check what is logged.
public struct CapturingLogHandler: LogHandler {
    /// The messages logged through every handler made from one store, in order.
    public final class Store: Sendable {
        private let lines = NIOLockedValueBox<[String]>([])
        public init() {}
        public var messages: [String] { lines.withLockedValue { $0 } }
        func append(_ line: String) { lines.withLockedValue { $0.append(line) } }
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let store: Store

    /// A logger at `level` whose messages land in `store`.
    public static func logger(_ store: Store, level: Logger.Level = .info) -> Logger {
        Logger(label: "capture") { _ in CapturingLogHandler(store: store, level: level) }
    }

    init(store: Store, level: Logger.Level) {
        self.store = store
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        store.append(event.message.description)
    }
}
