import ArgumentParser
import RPCShared
import ServiceRuntime

/// `aftersale serve customer`.
struct ServeCustomerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "customer", abstract: "CustomerService, customers, wallet, feedback, risk.")
    @OptionGroup var options: ServeOptions

    func run() async throws { throw CLIError("the customer service is being built (issue 4)") }
}

/// `aftersale customer …`: the customer service's debugging client.
struct CustomerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "customer", abstract: "Debugging client for CustomerService, customers, wallet, feedback, risk.")
}
