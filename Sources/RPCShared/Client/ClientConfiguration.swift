/// How an ``RPCClient`` connects, retries and keeps connections alive.
public struct ClientConfiguration: Sendable {
    public struct Backoff: Sendable {
        public var initial: Duration = .milliseconds(50)
        public var maximum: Duration = .seconds(5)
        public var multiplier = 2.0
        /// ±fraction of random jitter, so that many clients do not reconnect in step.
        public var jitter = 0.2
        public init() {}
    }

    public struct Keepalive: Sendable {
        /// Ping this often; nil turns keepalive off.
        public var interval: Duration? = .seconds(30)
        /// A ping unanswered for this long closes the connection.
        public var timeout: Duration = .seconds(10)
        public init() {}
    }

    public var backoff = Backoff()
    public var keepalive = Keepalive()
    public var connectTimeout: Duration = .seconds(5)
    /// Attempts for one call, the first included, where a retry is safe.
    public var maxAttempts = 3
    /// Calls waiting on one connection before new ones fail with RESOURCE_EXHAUSTED.
    public var maxPendingCalls = 10_000
    public var maxFrameSize = WireProtocol.defaultMaxFrameSize

    public init() {}
}
