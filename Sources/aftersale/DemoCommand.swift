import ArgumentParser
import Foundation
import RPCShared
import ServiceRuntime

/// `aftersale demo [--dir ./var]`: three after-sale workflows driven through the gateway, the way other backends
/// would drive them — a return refunded, an exchange to a dearer item paid for, a warranty repair — each step
/// as the role that does it in real life (customer, agent, warehouse), with the case's timeline and settlement
/// printed after each workflow.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a return, an exchange and a warranty repair through the gateway on the seeded demo data.",
        discussion: """
            Needs a running system with demo data ('aftersale up --dir DIR'). Gateway at --gateway-addr, else \
            $AFTERSALE_GATEWAY_ADDR, else unix://DIR/run/gateway.sock; OrderService (only to record the exchange \
            payment, which a payment backend would do) at --order-addr, $AFTERSALE_ORDER_ADDR or DIR/run/order.sock. \
            Tokens for the customer, agent and warehouse are minted from the keys 'aftersale up' uses: --keys-file, \
            $AFTERSALE_TOKEN_KEYS, $AFTERSALE_TOKEN_KEYS_FILE, else DIR/run/token.keys. \
            Each run opens new cases on seeded orders that still have units to return; when a seeded line is used \
            up it moves to the next one. A fresh DIR runs the whole demo four times. Exit status: 0, or the status \
            code of the step that failed.
            """
    )

    @Option(help: "The directory 'aftersale up' runs in.") var dir: String = "./var"
    @Option(name: .customLong("gateway-addr"), help: "Gateway address (default: $AFTERSALE_GATEWAY_ADDR, else unix://DIR/run/gateway.sock).")
    var gatewayAddress: String?
    @Option(name: .customLong("order-addr"), help: "OrderService address, for the exchange payment (default: $AFTERSALE_ORDER_ADDR, else unix://DIR/run/order.sock).")
    var orderAddress: String?
    @Option(name: .customLong("keys-file"), help: "Token keys file (default: $AFTERSALE_TOKEN_KEYS, $AFTERSALE_TOKEN_KEYS_FILE, else DIR/run/token.keys).")
    var keysFile: String?
    @Option(help: "Deadline of each call, e.g. 10s.") var timeout: String = "30s"

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let directory = UpDirectory(dir)
        let (keys, keySource) = try Self.keys(file: keysFile, environment: environment, directory: directory)
        let gateway = Self.address(gatewayAddress, environment["AFTERSALE_GATEWAY_ADDR"], directory.socket("gateway"))
        let order = Self.address(orderAddress, environment["AFTERSALE_ORDER_ADDR"], directory.socket("order"))
        let gatewayClient = try ServiceClientOptions.open(gateway)
        let orderClient = try ServiceClientOptions.open(order)
        defer { Task { await gatewayClient.close(); await orderClient.close() } }

        let session = DemoSession(gateway: .init(transport: gatewayClient), orders: .init(transport: orderClient),
                                  signer: TokenSigner(keys: keys), timeout: try DurationParser.parse(timeout))
        say("AfterSale demo: gateway \(gateway), tokens minted from \(keySource)")
        do {
            var results: [String] = []
            for workflow in DemoWorkflows.all { results.append(try await DemoWorkflows.run(workflow, session)) }
            say("\nAll three workflows went through the gateway:")
            for result in results { say("  \(result)") }
        } catch let failure as DemoFailure {
            // One line, and the failed call's status code as the exit status, like every other command.
            FileHandle.standardError.write(Data("aftersale demo: \(failure)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
    }

    /// The flag, else the environment variable, else the socket in DIR/run.
    static func address(_ flag: String?, _ variable: String?, _ socket: String) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let variable, !variable.isEmpty { return variable }
        return "unix://\(socket)"
    }

    /// The keys `aftersale up` picks with the same flags and environment, so the demo's tokens are the ones its
    /// services accept; unlike `up` it never generates keys — none means no system is running there.
    static func keys(file: String?, environment: [String: String], directory: UpDirectory) throws -> (TokenKeySet, String) {
        do {
            if let (keys, source) = try TokenKeySource.load(file: file, environment: environment) {
                if case .file(let path) = source { return (keys, path) }
                return (keys, "$\(TokenKeySource.inlineVariable)")
            }
            guard FileManager.default.fileExists(atPath: directory.keysFile) else {
                throw CLIError("demo: no token keys in \(directory.keysFile) — start the system with 'aftersale up --dir \(directory.root)' (or pass --keys-file)", status: .noInput)
            }
            return (try TokenKeySet(file: directory.keysFile), directory.keysFile)
        } catch let error as TokenKeyError {
            throw CLIError("demo: \(error)", status: .configuration)
        }
    }
}
