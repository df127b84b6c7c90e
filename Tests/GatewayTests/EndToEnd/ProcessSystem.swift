import AfterSaleTestSupport
import Foundation
import ProductService
import Gateway
import RPCShared
import ServiceRuntime
import Testing

/// The whole system as real processes: each of the six `aftersale serve <name>` on `DIR/run/<name>.sock` with its
/// database in `DIR/data`, every peer address in the environment, the test keys. Any one can be killed with
/// SIGKILL and started again on the same socket and database.
final class ProcessSystem: GatewaySystem, @unchecked Sendable {
    // @unchecked: `processes` is only touched by the one test that owns the system, one call at a time.
    static let names = ["reporting", "product", "customer", "order", "logistics", "gateway"]

    let directory: TemporaryDirectory
    private var processes: [String: ServiceProcess] = [:]
    /// Extra `serve` flags per service (e.g. a low `--max-in-flight` for the gateway).
    private let extraArguments: [String: [String]]
    let keys: TokenKeySet
    /// The five services as a trusted service (a token minted from the test keys), reconnecting after restarts.
    let downstream: Downstream
    private let gateway: RPCClient

    private init(directory: TemporaryDirectory, extraArguments: [String: [String]]) throws {
        self.directory = directory
        self.extraArguments = extraArguments
        keys = try TokenKeySet(parsing: ServiceProcess.developmentKeys)
        let tokens = ServiceTokenSource(signer: TokenSigner(keys: keys), subject: "e2e")
        func peer(_ name: String) throws -> AuthenticatedTransport {
            AuthenticatedTransport(client: try RPCClient("unix://\(directory.file("run/\(name).sock"))"), tokens: tokens)
        }
        downstream = Downstream(order: .init(transport: try peer("order")), product: .init(transport: try peer("product")),
                                customer: .init(transport: try peer("customer")), logistics: .init(transport: try peer("logistics")),
                                reporting: .init(transport: try peer("reporting")))
        gateway = try RPCClient("unix://\(directory.file("run/gateway.sock"))")
    }

    var now: Date { Date() }

    func client(role: Role, subject: String) -> GatewayV1.AfterSaleGateway.Client {
        GatewayV1.AfterSaleGateway.Client(transport: BearerTransport(client: gateway, token: try? token(role: role, subject: subject)))
    }

    func token(role: Role, subject: String, issuedAt: Date = Date()) throws -> String {
        try TokenSigner(keys: keys, clock: .fixed(issuedAt)).sign(subject: subject, role: role, lifetime: .seconds(3600))
    }

    static func start(extraArguments: [String: [String]] = [:]) async throws -> ProcessSystem {
        let system = try ProcessSystem(directory: try TemporaryDirectory("e2e"), extraArguments: extraArguments)
        try FileManager.default.createDirectory(atPath: system.directory.file("run"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: system.directory.file("data"), withIntermediateDirectories: true)
        do {
            for name in names { try await system.start(name) }
        } catch {
            await system.stop()
            throw error
        }
        return system
    }

    func address(_ name: String) -> String { "unix://\(directory.file("run/\(name).sock"))" }

    var environment: [String: String] {
        var environment = ["AFTERSALE_REPORTING_ADDR": address("reporting"), "AFTERSALE_LOG_LEVEL": "warning"]
        for name in Self.names { environment["AFTERSALE_\(name.uppercased())_ADDR"] = address(name) }
        return environment
    }

    func start(_ name: String) async throws {
        processes[name] = try await ServiceProcess.start(
            ["serve", name, "--listen", address(name), "--data", directory.file("data"), "--rate-limit", "off"]
                + extraArguments[name, default: []],
            environment: environment)
    }

    /// SIGSTOP / SIGCONT: a process that stops answering without closing its socket — a stalled dependency.
    func pause(_ name: String) { signal(name, SIGSTOP) }
    func resume(_ name: String) { signal(name, SIGCONT) }

    private func signal(_ name: String, _ signal: Int32) {
        guard let pid = processes[name]?.process.processIdentifier, pid > 0 else { return }
        Foundation.kill(pid, signal)
    }

    /// SIGKILL: no drain, no cleanup — a crash.
    func kill(_ name: String) async { await processes[name]?.kill() }

    func stop() async {
        await gateway.close()
        for name in Self.names.reversed() { await processes[name]?.stop() }
        directory.remove()
    }
}

/// Runs `body` against six fresh processes and always stops them afterwards.
func withProcessSystem(extraArguments: [String: [String]] = [:], _ body: (ProcessSystem) async throws -> Void) async throws {
    let system = try await ProcessSystem.start(extraArguments: extraArguments)
    do { try await body(system) } catch {
        await system.stop()
        throw error
    }
    await system.stop()
}

