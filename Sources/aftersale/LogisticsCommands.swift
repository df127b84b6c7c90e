import ArgumentParser
import RPCShared
import ServiceRuntime

/// `aftersale serve logistics`.
struct ServeLogisticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logistics", abstract: "LogisticsService, shipments and carrier choice.")
    @OptionGroup var options: ServeOptions

    func run() async throws { throw CLIError("the logistics service is being built (issue 4)") }
}

/// `aftersale logistics …`: the logistics service's debugging client.
struct LogisticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logistics", abstract: "Debugging client for LogisticsService, shipments and carrier choice.")
}
