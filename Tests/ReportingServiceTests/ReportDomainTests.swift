import Foundation
import RPCShared
import Testing
@testable import ReportingService

/// The pure pieces: periods, axis scales, money text, return quantities, reason mapping.
@Suite struct ReportDomainTests {
    @Test(arguments: [
        // (instant, day, week (Monday), month)
        ("2024-03-10T23:59:59Z", "2024-03-10", "2024-03-04", "2024-03-01"),   // a Sunday
        ("2024-03-11T00:00:00Z", "2024-03-11", "2024-03-11", "2024-03-01"),   // the Monday after
        ("2024-01-01T12:00:00Z", "2024-01-01", "2024-01-01", "2024-01-01"),   // a Monday, ISO week 1
        ("2023-01-01T12:00:00Z", "2023-01-01", "2022-12-26", "2023-01-01"),   // a Sunday: week from the year before
        ("1970-01-01T00:00:00Z", "1970-01-01", "1969-12-29", "1970-01-01"),   // a Thursday
        ("2024-02-29T08:00:00Z", "2024-02-29", "2024-02-26", "2024-02-01"),   // leap day
    ])
    func periodStartsInSwiftAndSQLAgree(_ instant: String, _ day: String, _ week: String, _ month: String) throws {
        let micros = at(instant).epochMicros
        for (period, expected) in [(ReportPeriod.day, day), (.week, week), (.month, month)] {
            let start = period.start(of: micros)
            #expect(ReportPeriod.day.label(start) == expected, "\(period)")
            let sql = try sqlValue(period.sqlStart(of: "\(micros)"))
            #expect(sql == start, "\(period) in SQL")
        }
    }

    func sqlValue(_ expression: String) throws -> Int64? {
        let fixture = try ReportingFixture()
        defer { fixture.directory.remove() }
        return try fixture.database.pool.read { db in try Int64.fetchOne(db, sql: "SELECT \(expression)") }
    }

    @Test func periodLabelsAndSteps() {
        let monday = at("2024-03-04T00:00:00Z").epochMicros
        #expect(ReportPeriod.week.label(monday) == "2024-03-04")
        #expect(ReportPeriod.month.label(monday) == "2024-03")
        #expect(ReportPeriod.month.next(after: at("2024-01-01T00:00:00Z").epochMicros) == at("2024-02-01T00:00:00Z").epochMicros)
        #expect(ReportPeriod.week.next(after: monday) == at("2024-03-11T00:00:00Z").epochMicros)
    }

    @Test(arguments: [
        (0.0, 2500.0, 0.0, 2500.0, 500.0),
        (0.0, 16.67, 0.0, 20.0, 5.0),
        (0.0, 4.0, 0.0, 4.0, 1.0),
        (0.0, 0.0, 0.0, 1.0, 0.2),
        (0.0, 168.0, 0.0, 200.0, 50.0),
        (-0.5, 1.0, -0.5, 1.0, 0.5),
        (0.0, 199.0, 0.0, 200.0, 50.0),
        (0.0, 7.3, 0.0, 8.0, 2.0),
        (0.0, 12.0, 0.0, 12.5, 2.5),
    ])
    func niceScalesUseRoundSteps(_ low: Double, _ high: Double, _ lower: Double, _ upper: Double, _ step: Double) {
        let scale = NiceScale(minimum: low, maximum: high)
        #expect(scale.lower == lower && scale.upper == upper && scale.step == step, "\(scale)")
        #expect(scale.ticks.first == lower && scale.ticks.last == upper)
    }

    @Test func tickLabelsHaveJustEnoughDecimals() {
        let scale = NiceScale(minimum: 0, maximum: 12)
        #expect(scale.ticks.map(scale.label) == ["0.0", "2.5", "5.0", "7.5", "10.0", "12.5"])
        #expect(NiceScale(minimum: 0, maximum: 2500).label(1500) == "1500")
    }

    @Test(arguments: [
        (Int64(1234), "EUR", "12.34"), (5, "EUR", "0.05"), (-5, "EUR", "-0.05"), (0, "USD", "0.00"),
        (1234, "JPY", "1234"), (1234, "KWD", "1.234"), (100_000_000_000, "CNY", "1000000000.00"),
        (Int64.min, "EUR", "-92233720368547758.08"),
    ])
    func moneyAsExactDecimalStrings(_ minor: Int64, _ currency: String, _ expected: String) {
        #expect(CurrencyFormat.decimal(minor, currency: currency) == expected)
    }

    @Test(arguments: [
        (OrderV1.CaseStatus.requested, false, Int64(3)),
        (.reopened, false, 3),
        (.approved, false, 2),
        (.inTransit, false, 2),
        (.inspected, true, 1),
        (.resolved, true, 1),
    ])
    func returnQuantityNarrowsAsTheCaseAdvances(_ status: OrderV1.CaseStatus, _ inspected: Bool, _ expected: Int64) {
        var line = OrderV1.CaseLine(id: "l", quantities: OrderV1.QuantityLedger(requested: 3, approved: 2, received: 2, accepted: 1, rejected: 1))
        if inspected { line.inspection = OrderV1.LineInspection(caseLineID: "l", acceptedQuantity: 1, rejectedQuantity: 1) }
        #expect(ReturnQuantity.effective(line, caseStatus: status) == expected)
    }

    @Test func everyReasonMapsToAnIssueCategory() {
        for reason in OrderV1.ReasonCode.allCases where reason != .unspecified {
            #expect(ReturnReasonIssue.category(for: reason) != .unspecified, "\(reason)")
        }
        #expect(ReturnReasonIssue.category(for: .warrantyFault) == .defect)
    }
}
