import Foundation
import RPCShared

/// Calendar periods in UTC: a day, an ISO week (Monday to Sunday) or a month. Reports bucket instants (epoch
/// microseconds) by the start of their period, in SQL (``sqlStart(of:)``) and, for labels, in Swift.
enum ReportPeriod: Sendable, CaseIterable {
    case day, week, month

    static let microsPerDay: Int64 = 86_400_000_000

    init?(_ dimension: ReportingV1.ReportDimension) {
        switch dimension {
        case .day: self = .day
        case .week: self = .week
        case .month: self = .month
        default: return nil
        }
    }

    init(_ granularity: ReportingV1.TimeGranularity) {
        switch granularity {
        case .week: self = .week
        case .month: self = .month
        default: self = .day
        }
    }

    var dimension: ReportingV1.ReportDimension {
        switch self {
        case .day: .day
        case .week: .week
        case .month: .month
        }
    }

    /// A SQL expression for the start of the period containing `column` (epoch micros ≥ 0). Day numbers count
    /// from 1970-01-01, a Thursday, so `(day + 3) % 7` is the number of days since the Monday starting its week.
    func sqlStart(of column: String) -> String {
        switch self {
        case .day:
            "((\(column) / \(Self.microsPerDay)) * \(Self.microsPerDay))"
        case .week:
            "(((\(column) / \(Self.microsPerDay)) - ((\(column) / \(Self.microsPerDay)) + 3) % 7) * \(Self.microsPerDay))"
        case .month:
            "(CAST(strftime('%s', \(column) / 1000000, 'unixepoch', 'start of month') AS INTEGER) * 1000000)"
        }
    }

    /// The start of the period containing `micros` (≥ 0), in Swift: the reference for ``sqlStart(of:)``.
    func start(of micros: Int64) -> Int64 {
        let day = micros / Self.microsPerDay
        switch self {
        case .day:
            return day * Self.microsPerDay
        case .week:
            return (day - (day + 3) % 7) * Self.microsPerDay
        case .month:
            let date = Date(timeIntervalSince1970: TimeInterval(micros / 1_000_000))
            let parts = Self.utc.dateComponents([.year, .month], from: date)
            let start = Self.utc.date(from: parts) ?? date
            return Int64(start.timeIntervalSince1970) * 1_000_000
        }
    }

    /// The start of the period after the one starting at `start`.
    func next(after start: Int64) -> Int64 {
        switch self {
        case .day: return start + Self.microsPerDay
        case .week: return start + 7 * Self.microsPerDay
        case .month:
            let date = Date(timeIntervalSince1970: TimeInterval(start / 1_000_000))
            let next = Self.utc.date(byAdding: .month, value: 1, to: date) ?? date.addingTimeInterval(31 * 86_400)
            return Int64(next.timeIntervalSince1970) * 1_000_000
        }
    }

    /// A label for the period starting at `micros`: `2024-03-05`, the week's Monday `2024-03-04` (week numbers
    /// are less familiar than dates), or `2024-03`.
    func label(_ micros: Int64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(micros / 1_000_000))
        switch self {
        case .day, .week:
            let parts = Self.utc.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        case .month:
            let parts = Self.utc.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
        }
    }

    private static let utcZone = TimeZone(secondsFromGMT: 0) ?? .current
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utcZone
        return calendar
    }()
}
