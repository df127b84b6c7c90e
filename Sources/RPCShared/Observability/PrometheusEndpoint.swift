import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// Serves `GET /metrics` in Prometheus text format from a swift-prometheus registry, so that a process's
/// swift-metrics (RPC call counters and latency histograms among them) can be scraped. HTTP because that is
/// what Prometheus speaks; everything else in AfterSale speaks the RPC protocol.
public final class PrometheusEndpoint: Service, Sendable {
    public let registry: PrometheusCollectorRegistry
    private let host: String
    private let port: Int
    private let group: any EventLoopGroup
    private let logger: Logger

    /// The factory to bootstrap swift-metrics with (`MetricsSystem.bootstrap(endpoint.factory)`).
    public var factory: PrometheusMetricsFactory { PrometheusMetricsFactory(registry: registry) }

    public init(host: String = "127.0.0.1", port: Int, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "aftersale.metrics")) {
        self.host = host
        self.port = port
        self.registry = registry
        self.group = group
        self.logger = logger
    }

    /// Binds and serves; returns the listening channel (its local address has the real port when `port` is 0).
    public func start() async throws -> any Channel {
        let registry = self.registry
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(registry: registry))
                }
            }
            .bind(host: host, port: port).get()
    }

    public func run() async throws {
        let channel = try await start()
        logger.info("serving Prometheus metrics", metadata: ["address": "http://\(host):\(channel.localAddress?.port ?? port)/metrics"])
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}

private final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private var head: HTTPRequestHead?

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            let found = head.method == .GET && (head.uri == "/metrics" || head.uri.hasPrefix("/metrics?"))
            let body = found ? registry.emitToBuffer() : Array("not found: try GET /metrics\n".utf8)
            var headers = HTTPHeaders([("Content-Type", found ? "text/plain; version=0.0.4" : "text/plain"),
                                       ("Content-Length", "\(body.count)")])
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: found ? .ok : .notFound,
                                                                 headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            let keepAlive = head.isKeepAlive
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                if !keepAlive { boundContext.value.close(promise: nil) }
            }
            self.head = nil
        }
    }
}
