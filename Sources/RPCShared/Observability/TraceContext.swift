/// W3C Trace Context (`traceparent: 00-<trace-id>-<parent-id>-<flags>`), carried in `CallHeader.traceparent`.
///
/// A server continues the caller's trace (or starts one); calls a handler makes while serving continue it as
/// children, through a task-local, so handlers need not pass anything by hand.
public struct TraceContext: Sendable, Hashable, CustomStringConvertible {
    /// 16 bytes, as 32 lower-case hex digits.
    public var traceID: String
    /// The current span: 8 bytes, as 16 lower-case hex digits.
    public var spanID: String
    public var sampled: Bool

    /// The trace of the call being served by this task, if any.
    @TaskLocal public static var current: TraceContext?

    public init(traceID: String, spanID: String, sampled: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    /// Parses a `traceparent` header; nil for anything malformed (a malformed header starts a new trace).
    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16,
              parts[3].count == 2, parts.allSatisfy({ $0.allSatisfy(\.isHexDigit) }),
              parts[1] != String(repeating: "0", count: 32), parts[2] != String(repeating: "0", count: 16),
              let flags = UInt8(parts[3], radix: 16) else { return nil }
        traceID = parts[1].lowercased()
        spanID = parts[2].lowercased()
        sampled = flags & 1 == 1
    }

    /// A new trace, for a call that arrived without one.
    public static func root() -> TraceContext {
        TraceContext(traceID: hex(UInt64.random(in: 1 ... .max)) + hex(UInt64.random(in: 0 ... .max)),
                     spanID: hex(UInt64.random(in: 1 ... .max)), sampled: false)
    }

    /// The context for an outgoing call made within this one: same trace, a new span.
    public func child() -> TraceContext {
        TraceContext(traceID: traceID, spanID: Self.hex(UInt64.random(in: 1 ... .max)), sampled: sampled)
    }

    public var traceparent: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }
    public var description: String { traceparent }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
