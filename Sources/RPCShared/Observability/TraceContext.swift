import Synchronization

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
        guard traceparent.utf8.count >= 55 else { return nil }  // 2 + 32 + 16 + 2 digits and 3 dashes at the least
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
        var random = TraceIDGenerator()
        return TraceContext(traceID: hex(random.nonZero(), random.next()), spanID: hex(random.nonZero()), sampled: false)
    }

    /// The context for an outgoing call made within this one: same trace, a new span.
    public func child() -> TraceContext {
        var random = TraceIDGenerator()
        return TraceContext(traceID: traceID, spanID: Self.hex(random.nonZero()), sampled: sampled)
    }

    public var traceparent: String {
        String(unsafeUninitializedCapacity: 7 + traceID.utf8.count + spanID.utf8.count) { buffer in
            var index = 0
            func append(_ text: String) {
                var text = text
                text.withUTF8 { bytes in
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[index...]).initialize(fromContentsOf: bytes)
                    index += bytes.count
                }
            }
            append("00-")
            append(traceID)
            append("-")
            append(spanID)
            append(sampled ? "-01" : "-00")
            return index
        }
    }

    public var description: String { traceparent }

    /// Lower-case hex, 16 digits per value.
    private static func hex(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { writeHex(value, into: $0, at: 0) }
    }

    private static func hex(_ high: UInt64, _ low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            writeHex(low, into: buffer, at: writeHex(high, into: buffer, at: 0))
        }
    }

    private static func writeHex(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int {
        for digit in 0..<16 {
            let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * digit)) & 0xF
            buffer[start + digit] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
        }
        return start + 16
    }
}

/// Random trace and span ids without a system call each: SplitMix64 over a process-wide Weyl sequence, advanced
/// by one atomic add per number and seeded once from the system's generator. The ids must be unique and
/// spread (W3C Trace Context), not secret; `SystemRandomNumberGenerator` made each id a `getrandom(2)` call.
struct TraceIDGenerator: RandomNumberGenerator {
    private static let state = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    mutating func next() -> UInt64 {
        var z = Self.state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// All-zero trace and span ids are invalid.
    mutating func nonZero() -> UInt64 {
        while true {
            let value = next()
            if value != 0 { return value }
        }
    }
}
