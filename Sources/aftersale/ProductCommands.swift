import ArgumentParser
import RPCShared
import ServiceRuntime

/// `aftersale serve product`.
struct ServeProductCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "product", abstract: "ProductService, catalogue, policies, inventory, quality.")
    @OptionGroup var options: ServeOptions

    func run() async throws { throw CLIError("the product service is being built (issue 4)") }
}

/// `aftersale product …`: the product service's debugging client.
struct ProductCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "product", abstract: "Debugging client for ProductService, catalogue, policies, inventory, quality.")
}
