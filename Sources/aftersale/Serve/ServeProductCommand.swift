import ArgumentParser
import ProductService
import ServiceRuntime

/// `aftersale serve product`.
struct ServeProductCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "product", abstract: "ProductService, catalogue, policies, inventory, quality.")
    @OptionGroup var options: ServeOptions

    func run() async throws { try await ProductServiceApp.run(try options.settings("product")) }
}
