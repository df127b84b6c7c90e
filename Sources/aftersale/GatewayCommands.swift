import ArgumentParser
import Gateway

/// `aftersale serve gateway`: the entry point other backends call. Every peer address is required.
struct ServeGatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway", abstract: "The AfterSale gateway: after-sale workflows over the five services.")
    @OptionGroup var options: ServeOptions
    @Option(name: .customLong("order-addr"), help: "OrderService address.") var orderAddress: String?
    @Option(name: .customLong("product-addr"), help: "ProductService address.") var productAddress: String?
    @Option(name: .customLong("customer-addr"), help: "CustomerService address.") var customerAddress: String?
    @Option(name: .customLong("logistics-addr"), help: "LogisticsService address.") var logisticsAddress: String?

    func run() async throws {
        var settings = try options.settings("gateway", peers: [
            "order": orderAddress, "product": productAddress, "customer": customerAddress, "logistics": logisticsAddress,
        ])
        guard let reporting = settings.reportingAddress else {
            throw CLIError("serve gateway: missing --reporting-addr (or AFTERSALE_GATEWAY_REPORTING_ADDR or AFTERSALE_REPORTING_ADDR), e.g. unix:///run/aftersale/reporting.sock")
        }
        settings.peers["reporting"] = reporting
        try await GatewayApp.run(settings)
    }
}
