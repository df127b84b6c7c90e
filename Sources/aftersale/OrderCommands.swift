import ArgumentParser
import RPCShared
import ServiceRuntime

/// `aftersale serve order`.
struct ServeOrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "order", abstract: "OrderService, orders and after-sale cases.")
    @OptionGroup var options: ServeOptions

    func run() async throws { throw CLIError("the order service is being built (issue 4)") }
}

/// `aftersale order …`: the order service's debugging client.
struct OrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "order", abstract: "Debugging client for OrderService, orders and after-sale cases.")
}
