import ArgumentParser
import OrderService
import ServiceRuntime

/// `aftersale serve order`.
struct ServeOrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "order", abstract: "OrderService, orders and after-sale cases.")
    @OptionGroup var options: ServeOptions
    @Option(name: .customLong("product-addr"), help: "ProductService address (sales are recorded there).") var productAddress: String?
    @Option(name: .customLong("customer-addr"), help: "CustomerService address (store-credit refunds).") var customerAddress: String?

    func run() async throws {
        try await OrderServiceApp.run(try options.settings("order", peers: ["product": productAddress, "customer": customerAddress]))
    }
}
