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
