import ArgumentParser

@main
struct Chorus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chorus", abstract: "Chorus SIP audio conference server")
    func run() async throws {}
}
