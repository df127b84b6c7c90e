import ArgumentParser
import LogisticsService
import ServiceRuntime

/// `aftersale serve logistics`.
struct ServeLogisticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logistics", abstract: "LogisticsService, shipments and carrier choice.")
    @OptionGroup var options: ServeOptions
    @Option(name: .customLong("order-addr"), help: "OrderService address, for MarkShipped/MarkDelivered (or AFTERSALE_ORDER_ADDR).")
    var orderAddress: String?
    @Option(help: "Carrier catalogue file (ListCarriersResponse JSON); default: the built-in catalogue.")
    var carriers: String?

    func run() async throws {
        let settings = try options.settings("logistics", peers: ["order": orderAddress])
        do {
            try await LogisticsServiceApp.run(settings, catalogue: LogisticsServiceApp.catalogue(file: carriers))
        } catch let error as ServiceSettingsError {
            throw CLIError("serve logistics: \(error)", status: .configuration)
        }
    }
}
