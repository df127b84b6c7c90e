import CoreMetrics
import Logging

/// How an ``RPCServer`` listens and what it allows.
public struct ServerConfiguration: Sendable {
    public var endpoint: Endpoint
    public var maxFrameSize = WireProtocol.defaultMaxFrameSize
    public var maxMetaSize = WireProtocol.defaultMaxMetaSize
    public var maxConcurrentStreams = WireProtocol.defaultMaxConcurrentStreams
    /// Permissions of a Unix socket file (owner and group may connect).
    public var socketMode: UInt16 = 0o660
    /// Connections open at once, from everyone; the next one is closed at once.
    public var maxConnections = 10_000
    /// Connections open at once from one peer (one process on a Unix socket, one IP address on TCP). Our clients
    /// multiplex every call over one connection per endpoint, so this only bounds a peer that opens connections
    /// in a loop.
    public var maxConnectionsPerPeer = 256
    /// A connection with no call open that delivers no complete frame for this long is sent GOAWAY and closed:
    /// it frees what silent, half-open and slowloris connections (bytes trickled, no frame ever completed) hold.
    /// Clients' keepalive PINGs (every 30 s) keep a wanted idle connection open. nil keeps idle connections.
    public var idleTimeout: Duration? = .seconds(120)
    /// How long in-flight calls may run after a graceful shutdown starts.
    public var gracePeriod: Duration = .seconds(10)
    /// Run handlers on their connection's event loop (no thread hop). Turn off for handlers that block.
    public var handlersOnEventLoop = true
    public var interceptors: [any ServerInterceptor] = []
    public var logger = Logger(label: "aftersale.rpc.server")
    /// Where call counters and latency timers go (the process-wide swift-metrics backend by default).
    public var metricsFactory: any MetricsFactory = MetricsSystem.factory

    public init(endpoint: Endpoint) { self.endpoint = endpoint }
}
