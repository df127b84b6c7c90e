import RPCShared
import Synchronization

/// Sheds load instead of queueing it: at most `limit` calls are served at once by this process; the next one is
/// refused at once with RESOURCE_EXHAUSTED (`OVERLOADED`, a retry delay in `ErrorDetails` and in the
/// `grpc-retry-pushback-ms` trailer).
///
/// Why: when a downstream service stops answering, every call waiting on it holds memory and a deadline; without a
/// bound, a busy caller piles up thousands of them, and when the service comes back the backlog is served long
/// after its callers gave up. Refusing early keeps latency for what is admitted and tells callers to back off.
/// Health checks and reflection (`exempt`) are always served, so an overloaded process does not look dead.
public struct InFlightLimitInterceptor: ServerInterceptor {
    public let limit: Int
    public let exempt: Set<String>
    private let inFlight: Counter

    /// The default per process: far above what the workflow benchmark keeps in flight (64 concurrent workflows,
    /// a few calls each), low enough that a stalled dependency cannot pile up unbounded work.
    public static let defaultLimit = 1_000
    /// What a refused caller is told to wait before trying again.
    public static let retryAfterMillis: Int64 = 100

    public init(limit: Int = InFlightLimitInterceptor.defaultLimit, exempt: Set<String> = AuthPolicy.defaultOpenServices) {
        precondition(limit > 0, "an in-flight limit must be positive")
        self.limit = limit
        self.exempt = exempt
        inFlight = Counter()
    }

    /// Calls being served right now (tests and metrics).
    public var current: Int { inFlight.value.load(ordering: .relaxed) }

    public func intercept<Result: Sendable>(
        context: ServerContext, next: (ServerContext) async throws -> Result
    ) async throws -> Result {
        if exempt.contains(context.method.service) { return try await next(context) }
        let admitted = inFlight.value.wrappingAdd(1, ordering: .relaxed).newValue
        defer { inFlight.value.wrappingSubtract(1, ordering: .relaxed) }
        guard admitted <= limit else {
            throw RPCError.tryAgainLater("overloaded: \(limit) calls already in flight; retry in \(Self.retryAfterMillis) ms",
                                         reason: "OVERLOADED", afterMillis: Self.retryAfterMillis)
        }
        return try await next(context)
    }

    /// A reference to one atomic, so that copies of the interceptor share the count.
    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }
}
