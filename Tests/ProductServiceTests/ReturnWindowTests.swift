import Foundation
import ProductService
import Testing

/// Windows counted in the customer's calendar: day of delivery = day 0; an N-day window ends at local midnight
/// after day N (docs/CONTRACT.md "Time").
@Suite struct ReturnWindowTests {
    static func utc(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: text) else { preconditionFailure("bad test date \(text)") }
        return date
    }

    static func window(_ zone: String) throws -> ReturnWindow {
        try #require(ReturnWindow(timeZoneIdentifier: zone))
    }

    @Test func lateEveningAndEarlyMorningDeliveriesAreOneDayApart() throws {
        let shanghai = try Self.window("Asia/Shanghai")
        // 23:30 local on 10 March vs 00:30 local on 11 March: one hour apart, one day apart in the window.
        let evening = Self.utc("2026-03-10T15:30:00Z")
        let morning = Self.utc("2026-03-10T16:30:00Z")
        #expect(shanghai.deadline(deliveredAt: evening, days: 7) == Self.utc("2026-03-17T16:00:00Z"))  // 18 Mar 00:00 CST
        #expect(shanghai.deadline(deliveredAt: morning, days: 7) == Self.utc("2026-03-18T16:00:00Z"))  // 19 Mar 00:00 CST
        #expect(shanghai.lastDay(beforeDeadline: shanghai.deadline(deliveredAt: evening, days: 7)) == "2026-03-17")
    }

    @Test func theSameInstantGivesDifferentDeadlinesInShanghaiAndLosAngeles() throws {
        let delivered = Self.utc("2026-03-10T02:00:00Z")  // 10:00 on 10 March in Shanghai, 19:00 on 9 March in LA
        let shanghai = try Self.window("Asia/Shanghai").deadline(deliveredAt: delivered, days: 7)
        let losAngeles = try Self.window("America/Los_Angeles").deadline(deliveredAt: delivered, days: 7)
        #expect(shanghai == Self.utc("2026-03-17T16:00:00Z"))    // 18 Mar 00:00 +08:00
        #expect(losAngeles == Self.utc("2026-03-17T07:00:00Z"))  // 17 Mar 00:00 −07:00 (PDT since 8 March)
    }

    @Test func aDaylightSavingStartInsideTheWindowKeepsLocalMidnight() throws {
        // Berlin springs forward on 29 March 2026: the deadline is local midnight (22:00Z), not 15 × 24 h (23:00Z).
        let berlin = try Self.window("Europe/Berlin")
        let deadline = berlin.deadline(deliveredAt: Self.utc("2026-03-20T11:00:00Z"), days: 14)
        #expect(deadline == Self.utc("2026-04-03T22:00:00Z"))
    }

    @Test func aDaylightSavingEndInsideTheWindowKeepsLocalMidnight() throws {
        // Los Angeles falls back on 1 November 2026: 25 Nov 00:00 PST is 08:00Z.
        let losAngeles = try Self.window("America/Los_Angeles")
        let deadline = losAngeles.deadline(deliveredAt: Self.utc("2026-10-25T17:00:00Z"), days: 30)
        #expect(deadline == Self.utc("2026-11-25T08:00:00Z"))
    }

    @Test func warrantyEndsAtLocalMidnightAfterTheAnniversary() throws {
        let shanghai = try Self.window("Asia/Shanghai")
        #expect(shanghai.warrantyEnd(deliveredAt: Self.utc("2026-01-31T04:00:00Z"), months: 1)
                == Self.utc("2026-02-28T16:00:00Z"))  // 31 Jan + 1 month = 28 Feb; ends 1 Mar 00:00 CST
        #expect(shanghai.warrantyEnd(deliveredAt: Self.utc("2026-03-10T04:00:00Z"), months: 24)
                == Self.utc("2028-03-10T16:00:00Z"))
    }

    @Test(arguments: ["PST", "GMT+8", "Not/AZone", "", "Asia"])
    func onlyIANANamesAreAccepted(_ zone: String) {
        #expect(ReturnWindow(timeZoneIdentifier: zone) == nil)
    }
}
