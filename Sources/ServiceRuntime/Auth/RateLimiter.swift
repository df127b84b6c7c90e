import Foundation
import RPCShared
import Synchronization

/// A per-caller limit: `rate` calls per second on average, bursts of up to `burst`.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    public var rate: Double
    public var burst: Double

    public init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// The default per person or backend (customer, agent, warehouse tokens).
    public static let serviceDefault = RateLimit(rate: 500, burst: 1000)
    /// The default per caller in role `service` — the gateway and the services calling each other. One gateway
    /// workflow fans out to some twenty downstream calls, so the people's limit would cap the whole system at a
    /// few dozen workflows a second; this one only bounds a runaway peer.
    public static let peerDefault = RateLimit(rate: 50_000, burst: 100_000)
    /// The default per peer for health checks and reflection: far above what any prober sends (Kubernetes probes
    /// every few seconds, `aftersale health` once), low enough that a runaway loop is bounded.
    public static let probeDefault = RateLimit(rate: 5_000, burst: 5_000)

    /// `RATE[/s][:BURST]`, e.g. `200`, `200/s:400`; `off` disables limiting (nil).
    public static func parse(_ text: String) throws -> RateLimit? {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "off" || text == "0" { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let rateText = parts[0].hasSuffix("/s") ? parts[0].dropLast(2) : parts[0]
        guard parts.count <= 2, let rate = Double(rateText), rate.isFinite, rate > 0, rate <= 1_000_000 else {
            throw ServiceSettingsError("rate limit must be RATE[:BURST] calls per second (e.g. 200:400) or off, got '\(text)'")
        }
        var burst = max(1, rate)
        if parts.count == 2 {
            guard let value = Double(parts[1]), value.isFinite, value >= 1, value <= 10_000_000 else {
                throw ServiceSettingsError("rate limit burst must be a number ≥ 1, got '\(parts[1])'")
            }
            burst = value
        }
        return RateLimit(rate: rate, burst: burst)
    }

    public var description: String { "\(rate)/s:\(burst)" }
}

/// Token buckets by caller key. Each bucket holds up to `burst` tokens, refilled at `rate` per second; a call
/// takes one token or is refused with the time until one is available. Buckets that have refilled completely
/// carry no information and are dropped when the table grows past `maxKeys`, so memory stays bounded.
public final class RateLimiter: Sendable {
    public let limit: RateLimit
    public let maxKeys: Int
    private let buckets = Mutex<[String: Bucket]>([:])
    private let now: @Sendable () -> ContinuousClock.Instant

    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    public init(limit: RateLimit, maxKeys: Int = 10_000,
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.limit = limit
        self.maxKeys = maxKeys
        self.now = now
    }

    /// Takes one token for `key`: nil when the call may go ahead, otherwise how long until a token is available.
    public func acquire(_ key: String) -> Duration? {
        let now = self.now()
        let limit = self.limit
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: limit.burst, updated: now)
            bucket.tokens = min(limit.burst, bucket.tokens + Self.seconds(now - bucket.updated) * limit.rate)
            bucket.updated = now
            defer {
                buckets[key] = bucket
                if buckets.count > maxKeys { Self.evictFull(&buckets, now: now, limit: limit) }
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return .milliseconds(Int64(((1 - bucket.tokens) / limit.rate * 1000).rounded(.up)))
        }
    }

    public var trackedKeys: Int { buckets.withLock { $0.count } }

    private static func evictFull(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant, limit: RateLimit) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + seconds(now - bucket.updated) * limit.rate < limit.burst
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Applies a ``RateLimiter`` per caller: the authenticated subject (`role:subject`, so register it after
/// ``AuthInterceptor``), or else the peer — its address on TCP, its process (`SO_PEERCRED` pid and uid) on a Unix
/// socket. Over the limit is RESOURCE_EXHAUSTED with `ErrorDetails.retry_after_millis` and the trailer
/// `grpc-retry-pushback-ms` (gRPC's name for "retry after this many milliseconds").
///
/// Three budgets, so that one kind of traffic cannot starve another:
/// - people (customer, agent, warehouse tokens, and unauthenticated peers): ``limiter``;
/// - callers in role `service` (the gateway, peer services, other backends with a service token): ``peerLimiter``,
///   much larger, since their calls are the fan-out of many people's requests;
/// - health checks and reflection (``probeServices``), which orchestrators and tools call constantly:
///   ``probeLimiter``, a generous per-peer limit of their own that never draws on the others.
public struct RateLimitInterceptor: ServerInterceptor {
    public let limiter: RateLimiter
    public let peerLimiter: RateLimiter
    public let probeLimiter: RateLimiter
    public let probeServices: Set<String>

    /// The trailer that carries the retry delay in milliseconds.
    public static let retryPushbackKey = RPCError.retryPushbackKey

    public init(limiter: RateLimiter, peerLimiter: RateLimiter = RateLimiter(limit: .peerDefault),
                probeLimiter: RateLimiter = RateLimiter(limit: .probeDefault),
                probeServices: Set<String> = AuthPolicy.defaultOpenServices) {
        self.limiter = limiter
        self.peerLimiter = peerLimiter
        self.probeLimiter = probeLimiter
        self.probeServices = probeServices
    }

    public func intercept<Result: Sendable>(
        context: ServerContext, next: (ServerContext) async throws -> Result
    ) async throws -> Result {
        let caller = Caller.current
        let key = caller.map { "\($0.role.rawValue):\($0.subject)" } ?? "peer:\(context.peer)"
        let limiter = probeServices.contains(context.method.service) ? probeLimiter
            : caller?.role == .service ? peerLimiter : limiter
        if let wait = limiter.acquire(key) {
            let millis = max(1, wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
            throw RPCError.tryAgainLater("rate limit exceeded for \(key) (\(limiter.limit)); retry in \(millis) ms",
                                         reason: "RATE_LIMITED", afterMillis: millis)
        }
        return try await next(context)
    }
}
