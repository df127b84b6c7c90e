import ArgumentParser
import RPCShared
import ServiceRuntime

/// `aftersale serve reporting`.
struct ServeReportingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reporting", abstract: "ReportingService, events and reports.")
    @OptionGroup var options: ServeOptions

    func run() async throws { throw CLIError("the reporting service is being built (issue 4)") }
}

/// `aftersale report …`: the reporting service's debugging client.
struct ReportingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Debugging client for ReportingService, events and reports.")
}
