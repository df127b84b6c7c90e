// Stand-ins for the peers OrderService calls, registering only the one method it uses on a real server. The
// real ProductService and CustomerService live in other branches; these record what they were sent.
import AfterSaleTestSupport
import Foundation
import RPCShared
import ServiceRuntime
import Synchronization

/// Records each call's request and idempotency key, answering like the real method (a repeat of a key returns
/// the first answer).
final class PeerRecorder<Request: ProtoMessage>: Sendable {
    private let calls = Mutex<[(key: String, request: Request)]>([])
    private let failure = Mutex<RPCError?>(nil)

    var received: [(key: String, request: Request)] { calls.withLock { $0 } }
    var keys: Set<String> { Set(received.map(\.key)) }
    func fail(with error: RPCError?) { failure.withLock { $0 = error } }

    /// Returns whether this key is new; throws the configured failure.
    func record(_ request: Request, context: ServerContext) throws -> Bool {
        if let error = failure.withLock({ $0 }) { throw error }
        let key = context.metadata["idempotency-key"] ?? ""
        return calls.withLock { calls in
            let isNew = !calls.contains { $0.key == key }
            if isNew { calls.append((key, request)) }
            return isNew
        }
    }
}

/// A server at a fixed Unix socket path so a client can be created before it listens (peer down, then up).
struct StubServer: Sendable {
    let path: String
    let server: RPCServer

    init(path: String = temporarySocketPath(), services: [ServiceDefinition]) {
        self.path = path
        server = RPCServer(configuration: ServerConfiguration(endpoint: .unix(path: path)), services: services)
    }

    var address: String { "unix://\(path)" }
    func start() async throws { _ = try await server.start() }
    func stop() async { await server.shutdown(gracePeriod: .seconds(1)) }

    static func customer(_ recorder: PeerRecorder<CustomerV1.CreditWalletRequest>, path: String = temporarySocketPath()) -> StubServer {
        StubServer(path: path, services: [ServiceDefinition(name: CustomerV1.CustomerService.name, methods: [
            .unary(CustomerV1.CustomerService.Method.creditWallet) { request, context in
                _ = try recorder.record(request, context: context)
                return CustomerV1.WalletEntry(id: "we-\(context.metadata["idempotency-key"] ?? "")", customerID: request.customerID)
            },
        ])])
    }

    static func product(_ recorder: PeerRecorder<ProductV1.RecordSaleRequest>, path: String = temporarySocketPath()) -> StubServer {
        StubServer(path: path, services: [ServiceDefinition(name: ProductV1.ProductService.name, methods: [
            .unary(ProductV1.ProductService.Method.recordSale) { request, context in
                _ = try recorder.record(request, context: context)
                return ProductV1.ProductStats(productID: request.productID)
            },
        ])])
    }
}

/// A client that reconnects quickly, so a peer that comes up is reached on the next attempt.
func fastClient(_ address: String) throws -> RPCClient {
    var configuration = ClientConfiguration()
    configuration.backoff.initial = .milliseconds(10)
    return RPCClient(endpoints: [try Endpoint(parsing: address)], configuration: configuration)
}

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date()) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

extension ServiceClock {
    init(_ manual: ManualClock) { self.init { manual.now } }
}
