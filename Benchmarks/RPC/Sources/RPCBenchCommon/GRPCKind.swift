import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf

typealias GRPCEchoRequest = Aftersale_Testing_V1_EchoRequest
typealias GRPCEchoResponse = Aftersale_Testing_V1_EchoResponse

/// aftersale.testing.v1.Echo/Say for grpc-swift-2, registered by hand (what protoc-gen-grpc-swift would generate
/// for one unary method), with swift-protobuf 1.39 messages.
struct GRPCEchoService: RegistrableRPCService {
    static let say = MethodDescriptor(fullyQualifiedService: "aftersale.testing.v1.Echo", method: "Say")

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Self.say,
            deserializer: ProtobufDeserializer<GRPCEchoRequest>(),
            serializer: ProtobufSerializer<GRPCEchoResponse>()
        ) { request, context in
            let single = try await ServerRequest(stream: request)
            var response = GRPCEchoResponse()
            response.text = single.message.text
            return StreamingServerResponse(single: ServerResponse(message: response))
        }
    }
}

extension BenchAddress {
    var grpcSocketAddress: GRPCNIOTransportCore.SocketAddress {
        switch self {
        case .unix(let path): .unixDomainSocket(path: path)
        case .tcp(let host, let port): .ipv4(host: host, port: port)
        }
    }
}

/// `GRPCServer` on `HTTP2ServerTransport.Posix`, plaintext, default configuration.
final class GRPCBenchServer: BenchServer {
    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let serving: Task<Void, any Error>
    let address: BenchAddress

    private init(server: GRPCServer<HTTP2ServerTransport.Posix>, serving: Task<Void, any Error>, address: BenchAddress) {
        self.server = server
        self.serving = serving
        self.address = address
    }

    static func start(_ address: BenchAddress) async throws -> GRPCBenchServer {
        let transport = HTTP2ServerTransport.Posix(address: address.grpcSocketAddress, transportSecurity: .plaintext)
        let server = GRPCServer(transport: transport, services: [GRPCEchoService()])
        let serving = Task { try await server.serve() }
        let bound = try await transport.listeningAddress
        var actual = address
        if case .tcp(let host, _) = address, let ipv4 = bound.ipv4 { actual = .tcp(host: host, port: ipv4.port) }
        return GRPCBenchServer(server: server, serving: serving, address: actual)
    }

    func shutdown() async {
        server.beginGracefulShutdown()
        let timeout = Task {
            try await Task.sleep(for: .seconds(1))
            serving.cancel()
        }
        _ = try? await serving.value
        timeout.cancel()
    }
}

/// One `GRPCClient` on one `HTTP2ClientTransport.Posix` (one HTTP/2 connection), shared by all the tasks.
final class GRPCBenchCaller: BenchCaller {
    let client: GRPCClient<HTTP2ClientTransport.Posix>
    let connections: Task<Void, any Error>
    let request: ClientRequest<GRPCEchoRequest>

    init(_ address: BenchAddress) throws {
        let transport: HTTP2ClientTransport.Posix = switch address {
        case .unix(let path):
            try HTTP2ClientTransport.Posix(target: .unixDomainSocket(path: path), transportSecurity: .plaintext)
        case .tcp(let host, let port):
            try HTTP2ClientTransport.Posix(target: .ipv4(address: host, port: port), transportSecurity: .plaintext)
        }
        let client = GRPCClient(transport: transport)
        self.client = client
        connections = Task { try await client.runConnections() }
        var message = GRPCEchoRequest()
        message.text = BenchMessage.text
        request = ClientRequest(message: message)
    }

    static func encodedRequest() throws -> [UInt8] {
        var message = GRPCEchoRequest()
        message.text = BenchMessage.text
        return try message.serializedBytes()
    }

    func call() async throws {
        let count = try await client.unary(
            request: request,
            descriptor: GRPCEchoService.say,
            serializer: ProtobufSerializer<GRPCEchoRequest>(),
            deserializer: ProtobufDeserializer<GRPCEchoResponse>(),
            options: .defaults
        ) { try $0.message.text.utf8.count }
        guard count == 98 else { throw BenchError("wrong answer: \(count) bytes") }
    }

    func close() async {
        client.beginGracefulShutdown()
        connections.cancel()
        _ = try? await connections.value
    }
}
