import ArgumentParser
import CustomerService
import ServiceRuntime

/// `aftersale serve customer`.
struct ServeCustomerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "customer", abstract: "CustomerService, customers, wallet, feedback, risk.")
    @OptionGroup var options: ServeOptions

    func run() async throws {
        try await CustomerServiceApp.run(try options.settings("customer"))
    }
}
