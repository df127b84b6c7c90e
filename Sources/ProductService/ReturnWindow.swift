import Foundation

/// Return-window arithmetic in the customer's local calendar (docs/CONTRACT.md "Time"): the day of delivery is
/// day 0 and a window of N days ends at local midnight after day N, so
/// `deadline = start_of_local_day(delivered_at) + (N + 1) days`, exclusive. Days are calendar days, not 24-hour
/// spans, so a daylight-saving change inside the window moves the deadline's UTC instant, not its local time.
public struct ReturnWindow: Sendable {
    public let timeZone: TimeZone
    private let calendar: Calendar

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// nil when `identifier` is not an IANA zone this system knows.
    public init?(timeZoneIdentifier identifier: String) {
        // Foundation also accepts abbreviations ("PST") and offsets ("GMT+8"); the contract wants IANA names.
        guard identifier.contains("/") || identifier == "UTC", let zone = TimeZone(identifier: identifier) else { return nil }
        self.init(timeZone: zone)
    }

    /// The first instant of the local day containing `date`.
    public func startOfDay(_ date: Date) -> Date { calendar.startOfDay(for: date) }

    /// The exclusive end of an N-day window that started with a delivery at `deliveredAt`.
    public func deadline(deliveredAt: Date, days: Int) -> Date {
        let start = startOfDay(deliveredAt)
        return calendar.date(byAdding: .day, value: days + 1, to: start) ?? start.addingTimeInterval(Double(days + 1) * 86_400)
    }

    /// The exclusive end of a warranty of `months` from delivery: local midnight after the same day of the month
    /// `months` later (the last day of a shorter month when that day does not exist).
    public func warrantyEnd(deliveredAt: Date, months: Int) -> Date {
        let start = startOfDay(deliveredAt)
        let anniversary = calendar.date(byAdding: .month, value: months, to: start) ?? start
        return calendar.date(byAdding: .day, value: 1, to: anniversary) ?? anniversary.addingTimeInterval(86_400)
    }

    /// The local calendar date (year, month, day) of `date`, e.g. for messages and policy effective dates.
    public func localDate(_ date: Date) -> (year: Int, month: Int, day: Int) {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return (parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    /// `2026-03-01` for the local day of `date`.
    public func format(_ date: Date) -> String {
        let (year, month, day) = localDate(date)
        return String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// The local day on which an exclusive deadline's last full day falls (the day before local midnight).
    public func lastDay(beforeDeadline deadline: Date) -> String { format(deadline.addingTimeInterval(-1)) }
}

/// Where a market's calendar lives when a request names no time zone, and for policy effective dates.
public enum MarketCalendar {
    static let zones: [String: String] = [
        "CN": "Asia/Shanghai", "DE": "Europe/Berlin", "FR": "Europe/Paris", "GB": "Europe/London",
        "IT": "Europe/Rome", "ES": "Europe/Madrid", "NL": "Europe/Amsterdam", "JP": "Asia/Tokyo",
        "US": "America/New_York", "CA": "America/Toronto", "AU": "Australia/Sydney", "HK": "Asia/Hong_Kong",
        "SG": "Asia/Singapore",
    ]

    /// The market's reference time zone; UTC for markets without one.
    public static func timeZone(for market: String) -> TimeZone {
        zones[market].flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC") ?? .gmt
    }

    /// An ISO 3166-1 alpha-2 shape check (two upper-case ASCII letters).
    public static func isMarketCode(_ code: String) -> Bool {
        code.utf8.count == 2 && code.utf8.allSatisfy { (0x41...0x5A).contains($0) }
    }
}
