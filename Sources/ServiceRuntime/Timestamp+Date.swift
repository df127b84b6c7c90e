import Foundation
import RPCShared

extension CommonV1.Timestamp {
    /// The instant `date` (UTC), to the nanosecond Foundation keeps.
    public init(_ date: Date) {
        let interval = date.timeIntervalSince1970
        var seconds = interval.rounded(.down)
        var nanos = ((interval - seconds) * 1e9).rounded()
        if nanos >= 1e9 { seconds += 1; nanos -= 1e9 }
        self.init(seconds: Int64(seconds), nanos: Int32(nanos))
    }

    /// Whole seconds since the epoch.
    public init(epochSeconds: Int64) { self.init(seconds: epochSeconds, nanos: 0) }

    public var date: Date { Date(timeIntervalSince1970: Double(seconds) + Double(nanos) / 1e9) }

    /// Microseconds since the epoch: how services store instants (an INTEGER column that sorts correctly).
    public var epochMicros: Int64 { seconds * 1_000_000 + Int64(nanos / 1_000) }

    public init(epochMicros: Int64) {
        let seconds = epochMicros >= 0 ? epochMicros / 1_000_000 : (epochMicros - 999_999) / 1_000_000
        self.init(seconds: seconds, nanos: Int32((epochMicros - seconds * 1_000_000) * 1_000))
    }
}

extension Date {
    /// Microseconds since the epoch (see ``CommonV1/Timestamp/epochMicros``).
    public var epochMicros: Int64 { Int64((timeIntervalSince1970 * 1_000_000).rounded()) }
}

/// Where a service reads the time; tests pin it to test windows and expiries at their edges.
public struct ServiceClock: Sendable {
    private let read: @Sendable () -> Date
    public init(_ read: @escaping @Sendable () -> Date) { self.read = read }
    public func now() -> Date { read() }
    public static let system = ServiceClock { Date() }
    public static func fixed(_ date: Date) -> ServiceClock { ServiceClock { date } }
}
