import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import RPCShared
import ServiceLifecycle

/// A standard gRPC server (HTTP/2, `application/grpc+proto`) beside a process's native ``RPCServer``, serving the
/// same ``ServiceDefinition``s through the same interceptors, plus the standard `grpc.health.v1.Health` (from the
/// native server's ``HealthStatusStore``) and `grpc.reflection.v1`/`v1alpha` `ServerReflection`.
///
/// As a swift-service-lifecycle `Service` it drains with the native server: on graceful shutdown it stops
/// accepting, sends GOAWAY, lets calls finish within the grace period, then cancels what is left (open Watch
/// streams end when the health store's watchers do).
public final class GRPCListener: Service, Sendable {
    /// What a ``GRPCListener`` listens on and how.
    public struct Configuration: Sendable {
        /// `tcp://HOST:PORT` (port 0 picks one) or `unix:///path`.
        public var endpoint: RPCShared.Endpoint
        /// nil: plaintext (h2c).
        public var tls: TLSFiles?
        public var interceptors: [any RPCShared.ServerInterceptor] = []
        public var logger = Logger(label: "aftersale.grpc.server")
        /// How long in-flight calls may run after a graceful shutdown starts.
        public var gracePeriod: Duration = .seconds(10)
        /// Called once the socket is bound, with the real address (the chosen port for port 0).
        public var onListening: @Sendable (RPCShared.Endpoint) -> Void = { _ in }

        public init(endpoint: RPCShared.Endpoint, tls: TLSFiles? = nil) {
            self.endpoint = endpoint
            self.tls = tls
        }
    }

    public let configuration: Configuration
    /// Full names of the services this listener serves, the standard health and reflection ones included.
    public let serviceNames: [String]
    private let transport: HTTP2ServerTransport.Posix
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let health: HealthStatusStore

    public init(configuration: Configuration, services: [ServiceDefinition], health: HealthStatusStore) {
        self.configuration = configuration
        self.health = health
        let standardNames = [GRPCHealthV1.Health.name, GRPCReflectionV1.ServerReflection.name,
                             GRPCReflectionV1alpha.ServerReflection.name]
        serviceNames = (services.map(\.name) + standardNames).sorted()
        let reflection = GRPCReflectionService(serviceNames: serviceNames)
        let all = services + [GRPCHealthService(store: health).serviceDefinition, reflection.serviceDefinition,
                              reflection.v1alphaDefinition]
        for name in standardNames { health.set(name, .serving) }

        var router = RPCRouter<HTTP2ServerTransport.Posix>()
        GRPCCallBridge(interceptors: configuration.interceptors, logger: configuration.logger).register(all, on: &router)
        transport = HTTP2ServerTransport.Posix(address: Self.address(configuration.endpoint),
                                               transportSecurity: Self.security(configuration.tls))
        server = GRPCServer(transport: transport, router: router)
    }

    /// Serves until a graceful shutdown, then drains (see the type's documentation).
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.server.serve() }
            group.addTask {
                let bound = try await self.transport.listeningAddress
                let endpoint = Self.endpoint(bound, configured: self.configuration.endpoint)
                self.configuration.logger.info("gRPC listening", metadata: ["address": "\(endpoint)",
                                                                           "tls": "\(self.configuration.tls != nil)"])
                self.configuration.onListening(endpoint)
                try? await gracefulShutdown()
                guard !Task.isCancelled else { return }
                for name in self.serviceNames { self.health.set(name, .notServing) }
                self.server.beginGracefulShutdown()
                try? await Task.sleep(for: self.configuration.gracePeriod)
            }
            // Whichever ends first: the server (drained, or failed) or the grace period; then the rest is cancelled.
            defer { group.cancelAll() }
            try await group.next()
        }
        configuration.logger.info("gRPC stopped", metadata: ["address": "\(configuration.endpoint)"])
    }

    static func address(_ endpoint: RPCShared.Endpoint) -> GRPCNIOTransportCore.SocketAddress {
        switch endpoint {
        case .unix(let path): .unixDomainSocket(path: path)
        case .tcp(let host, let port): host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port)
        }
    }

    static func endpoint(_ address: GRPCNIOTransportCore.SocketAddress, configured: RPCShared.Endpoint) -> RPCShared.Endpoint {
        if let ipv4 = address.ipv4 { return .tcp(host: ipv4.host, port: ipv4.port) }
        if let ipv6 = address.ipv6 { return .tcp(host: ipv6.host, port: ipv6.port) }
        return configured
    }

    static func security(_ tls: TLSFiles?) -> HTTP2ServerTransport.Posix.TransportSecurity {
        guard let tls else { return .plaintext }
        let chain: [TLSConfig.CertificateSource] = [.file(path: tls.certificateChain, format: .pem)]
        let key: TLSConfig.PrivateKeySource = .file(path: tls.privateKey, format: .pem)
        guard let ca = tls.clientCA else { return .tls(certificateChain: chain, privateKey: key) }
        return .mTLS(certificateChain: chain, privateKey: key) { config in
            config.trustRoots = .certificates([.file(path: ca, format: .pem)])
            config.clientCertificateVerification = .noHostnameVerification
        }
    }
}
