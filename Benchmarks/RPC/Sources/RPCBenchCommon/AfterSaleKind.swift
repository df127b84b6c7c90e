import RPCShared

/// AfterSale's Echo service: `say` echoes the text; the streaming methods are not part of the benchmark.
struct BenchEchoHandler: TestingV1.Echo.Handler {
    func say(_ request: TestingV1.EchoRequest, context: ServerContext) async throws -> TestingV1.EchoResponse {
        TestingV1.EchoResponse(text: request.text)
    }
    func count(_ request: TestingV1.EchoRequest, responses: ResponseWriter<TestingV1.EchoResponse>,
               context: ServerContext) async throws {
        throw RPCError(.unimplemented, "")
    }
    func collect(_ requests: RequestStream<TestingV1.EchoRequest>, context: ServerContext) async throws -> TestingV1.EchoResponse {
        throw RPCError(.unimplemented, "")
    }
    func chat(_ requests: RequestStream<TestingV1.EchoRequest>, responses: ResponseWriter<TestingV1.EchoResponse>,
              context: ServerContext) async throws {
        throw RPCError(.unimplemented, "")
    }
}

extension BenchAddress {
    var endpoint: Endpoint {
        switch self {
        case .unix(let path): .unix(path: path)
        case .tcp(let host, let port): .tcp(host: host, port: port)
        }
    }
    init(_ endpoint: Endpoint) {
        switch endpoint {
        case .unix(let path): self = .unix(path: path)
        case .tcp(let host, let port): self = .tcp(host: host, port: port)
        }
    }
}

/// `RPCServer` with the default configuration, as a service would run it.
final class AfterSaleBenchServer: BenchServer {
    let server: RPCServer
    let address: BenchAddress

    private init(server: RPCServer, address: BenchAddress) {
        self.server = server
        self.address = address
    }

    static func start(_ address: BenchAddress) async throws -> AfterSaleBenchServer {
        let server = RPCServer(configuration: ServerConfiguration(endpoint: address.endpoint),
                               services: [BenchEchoHandler().serviceDefinition])
        let bound = try await server.start()
        return AfterSaleBenchServer(server: server, address: BenchAddress(bound))
    }

    func shutdown() async { await server.shutdown(gracePeriod: .seconds(1)) }
}

/// One `RPCClient` (one multiplexed connection) shared by all the load generator's tasks, default configuration.
final class AfterSaleBenchCaller: BenchCaller {
    let client: RPCClient
    let echo: TestingV1.Echo.Client
    let request = TestingV1.EchoRequest(text: BenchMessage.text)

    init(_ address: BenchAddress) throws {
        client = RPCClient(endpoints: [address.endpoint])
        echo = TestingV1.Echo.Client(transport: client)
    }

    static func encodedRequest() throws -> [UInt8] {
        try TestingV1.EchoRequest(text: BenchMessage.text).serializedBytes()
    }

    func call() async throws {
        let response = try await echo.say(request)
        guard response.text.utf8.count == 98 else { throw BenchError("wrong answer: \(response.text.utf8.count) bytes") }
    }

    func close() async { await client.close() }
}
