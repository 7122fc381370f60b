import ArgumentParser
import ChorusServer
import Foundation
import Logging
import ServiceLifecycle

/// The `chorus` command: `serve` (the default), `check-config`, `ping`.
@main
struct Chorus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chorus",
        abstract: "Chorus, a SIP audio conference server.",
        subcommands: [Serve.self, CheckConfig.self, Ping.self],
        defaultSubcommand: Serve.self)
}

/// Options shared by the commands that read a configuration.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (YAML). Default: $CHORUS_CONFIG, else the embedded default (Config/chorus.yaml).")
    var config: String?

    func load() throws -> ChorusConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let path = config ?? environment["CHORUS_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            return try ConfigurationLoader.load(path: path, environment: environment)
        } catch {
            throw ValidationError(error.message)
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (the default command).")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try options.load()
        let level = configuration.log.level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "chorus")
        raiseOpenFileLimit(logger: logger)
        let server = ChorusServer(configuration: configuration, logger: logger)
        let group = ServiceGroup(
            services: [server], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        do {
            try await group.run()
        } catch {
            logger.critical("\(error)")
            throw ExitCode.failure
        }
    }
}

/// Every call holds a socket or two: lift the soft limit on open files to the hard one (systems
/// often start processes at 1024, which a large room passes).
func raiseOpenFileLimit(logger: Logger) {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    let previous = limit.rlim_cur
    limit.rlim_cur = limit.rlim_max
    if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
        logger.debug("open file limit raised from \(previous) to \(limit.rlim_cur)")
    }
}

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config", abstract: "Validate the configuration and print the settings in effect.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try options.load()
        print("configuration OK")
        print("log level: \(configuration.log.level)")
        for listen in configuration.sip.listen { print("listen: \(listen)") }
    }
}
