import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A server for AfterSale's RPC protocol (docs/PROTOCOL.md) on a Unix socket or TCP, with health and reflection
/// built in. As a swift-service-lifecycle `Service`, it drains gracefully on SIGTERM: GOAWAY to every connection,
/// in-flight calls finish within the grace period, new ones are refused with UNAVAILABLE.
public final class RPCServer: Service, Sendable {
    public let configuration: ServerConfiguration
    /// Serving status per service; every registered service starts SERVING.
    public let health = HealthStatusStore()

    private let router: ServiceRouter
    private let group: any EventLoopGroup
    private let executors: EventLoopTaskExecutors
    private let stats = ServerStats()
    private let metrics: ServerMetrics
    private let state = Mutex(State())

    private struct State {
        var listener: (any Channel)?
        var boundEndpoint: Endpoint?
        var connections: [ObjectIdentifier: NIOLoopBound<ServerConnectionHandler>] = [:]
        var connectionsPerPeer: [String: Int] = [:]
        var shuttingDown = false
    }

    public init(configuration: ServerConfiguration, services: [ServiceDefinition],
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
        executors = EventLoopTaskExecutors(group)
        let health = self.health
        var all = services
        all.append(HealthService(store: health).serviceDefinition)
        all.append(ReflectionService(serving: all).serviceDefinition)
        router = ServiceRouter(all)
        metrics = ServerMetrics(paths: Array(router.methods.keys), factory: configuration.metricsFactory)
        health.set("", .serving)
        for service in all { health.set(service.name, .serving) }
    }

    /// Calls being served right now, on all connections.
    public var activeCalls: Int { stats.activeCalls }
    public var connectionCount: Int { state.withLock { $0.connections.count } }
    /// The address actually bound (a TCP port 0 becomes the real port); nil before `start`.
    public var boundEndpoint: Endpoint? { state.withLock { $0.boundEndpoint } }

    /// Binds and starts accepting connections; returns the bound address.
    @discardableResult
    public func start() async throws -> Endpoint {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture { try self.configureConnection(channel) }
            }
        let listener: any Channel
        switch configuration.endpoint {
        case .unix(let path):
            try await Self.removeStaleSocket(at: path, group: group)
            listener = try await bootstrap.bind(unixDomainSocketPath: path).get()
            guard chmod(path, mode_t(configuration.socketMode)) == 0 else {
                try? await listener.close()
                throw RPCError(.internal, "cannot set mode \(String(configuration.socketMode, radix: 8)) on \(path): errno \(errno)")
            }
        case .tcp(let host, let port):
            // TCP_NODELAY at the TCP level, and only on TCP (see ClientConnection.connect).
            listener = try await bootstrap.childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .bind(host: host, port: port).get()
        }
        let bound: Endpoint
        if case .tcp(let host, _) = configuration.endpoint, let port = listener.localAddress?.port {
            bound = .tcp(host: host, port: port)
        } else {
            bound = configuration.endpoint
        }
        state.withLock {
            $0.listener = listener
            $0.boundEndpoint = bound
        }
        configuration.logger.info("listening", metadata: ["address": "\(bound)", "services": "\(router.services.count)"])
        return bound
    }

    private func configureConnection(_ channel: any Channel) throws {
        // Read once: the limit below counts by it, the handler logs and rate-limits by it.
        let credentials = PeerCredentials.of(channel, listening: configuration.endpoint)
        let handler = ServerConnectionHandler(
            router: router, configuration: configuration,
            executor: configuration.handlersOnEventLoop ? executors.executor(for: channel.eventLoop) : nil, stats: stats,
            metrics: metrics, peer: credentials)
        let id = ObjectIdentifier(channel)
        let peer = credentials.limitKey
        let (maxConnections, maxPerPeer) = (configuration.maxConnections, configuration.maxConnectionsPerPeer)
        let refusal = state.withLock { state -> String? in
            guard !state.shuttingDown else { return "shutting down" }
            guard state.connections.count < maxConnections else { return "\(maxConnections) connections open" }
            guard state.connectionsPerPeer[peer, default: 0] < maxPerPeer else {
                return "\(maxPerPeer) connections open from \(peer)"
            }
            state.connections[id] = NIOLoopBound(handler, eventLoop: channel.eventLoop)
            state.connectionsPerPeer[peer, default: 0] += 1
            return nil
        }
        if let refusal {
            if refusal != "shutting down" {
                metrics.connectionRefused()
                configuration.logger.debug("connection refused", metadata: ["reason": "\(refusal)"])
            }
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [self] _ in
            state.withLock { state in
                state.connections.removeValue(forKey: id)
                state.connectionsPerPeer[peer, default: 1] -= 1
                if state.connectionsPerPeer[peer] == 0 { state.connectionsPerPeer.removeValue(forKey: peer) }
            }
        }
        let decoder = FrameDecoder(expectPreface: true, maxFrameSize: configuration.maxFrameSize,
                                   maxMetaSize: configuration.maxMetaSize)
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(decoder))
        try channel.pipeline.syncOperations.addHandler(handler)
    }

    /// Service: serve until a graceful shutdown (SIGTERM through ServiceGroup), then drain.
    public func run() async throws {
        if boundEndpoint == nil { try await start() }
        await withGracefulShutdownHandler {
            await self.waitUntilStopped()
        } onGracefulShutdown: {
            Task { await self.shutdown() }
        }
    }

    private func waitUntilStopped() async {
        let listener = state.withLock { $0.listener }
        try? await listener?.closeFuture.get()
        while connectionCount > 0 { try? await Task.sleep(for: .milliseconds(10)) }
    }

    /// Stops accepting, sends GOAWAY everywhere, lets in-flight calls finish within `gracePeriod`, then closes
    /// whatever is left and removes the socket file.
    public func shutdown(gracePeriod: Duration? = nil) async {
        let (listener, connections) = state.withLock { state in
            state.shuttingDown = true
            return (state.listener, Array(state.connections.values))
        }
        for service in router.services { health.set(service.name, .notServing) }
        health.set("", .notServing)
        try? await listener?.close()
        for connection in connections {
            connection.eventLoop.execute { connection.value.beginDrain() }
        }
        let deadline = ContinuousClock.now + (gracePeriod ?? configuration.gracePeriod)
        while connectionCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let remaining = state.withLock { Array($0.connections.values) }
        for connection in remaining {
            connection.eventLoop.execute { connection.value.closeNow() }
        }
        health.finishWatchers()
        if case .unix(let path) = configuration.endpoint { unlink(path) }
        configuration.logger.info("stopped", metadata: ["address": "\(configuration.endpoint)"])
    }

    /// A socket file left by a dead process is removed; one a live server answers on, or a file that is not a
    /// socket, is an error — never silently replaced.
    static func removeStaleSocket(at path: String, group: any EventLoopGroup) async throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw RPCError(.failedPrecondition, "\(path) exists and is not a socket; refusing to replace it")
        }
        do {
            let probe = try await ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(500))
                .connect(unixDomainSocketPath: path).get()
            try? await probe.close()
            throw RPCError(.failedPrecondition, "another server is listening on \(path)")
        } catch let error as RPCError {
            throw error
        } catch {
            unlink(path)  // nobody answers: the file was left by a process that died
        }
    }
}

extension ServerConnectionHandler {
    /// End of the grace period: close, cancelling whatever is still running.
    func closeNow() {
        beginDrain()
        closeChannel()
    }
}
