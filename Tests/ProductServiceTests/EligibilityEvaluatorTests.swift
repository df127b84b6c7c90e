import Foundation
import ProductService
import RPCShared
import ServiceRuntime
import Testing

/// The eligibility rules, line by line, with the window edges in the customer's time zone.
@Suite struct EligibilityEvaluatorTests {
    static let utc = ReturnWindowTests.utc

    /// Germany: 14-day withdrawal, 30-day merchant window, 24-month warranty.
    static let germany = ProductV1.EffectivePolicy(
        market: "DE", productID: "prod_1", categoryID: "cat_1", windowDays: 30, finalSale: false,
        allowedResolutions: [.refund, .storeCredit, .replacement, .exchange, .repair],
        allowedKinds: [.returnRefund, .refundOnly, .exchange, .repairWarranty], warrantyMonths: 24, withdrawalDays: 14)

    /// China, cosmetics: final sale, no-reason return exempted (0), 12-month warranty.
    static var chinaFinalSale: ProductV1.EffectivePolicy {
        var policy = germany
        policy.market = "CN"
        policy.windowDays = 0
        policy.withdrawalDays = 0
        policy.noReasonReturnDays = 0
        policy.finalSale = true
        policy.warrantyMonths = 12
        return policy
    }

    static func line(deliveredAt: String? = "2026-03-10T04:00:00Z", delivered: Int32 = 2, returned: Int32 = 0,
                     requested: Int32 = 1, resolution: OrderV1.Resolution = .unspecified,
                     reason: OrderV1.ReasonCode = .changedMind) -> ProductV1.EligibilityLine {
        ProductV1.EligibilityLine(orderLineID: "ol_1", sku: "SKU-1", productID: "prod_1", deliveredQuantity: delivered,
                                  returnedQuantity: returned,
                                  deliveredAt: deliveredAt.map { CommonV1.Timestamp(utc($0)) },
                                  requestedQuantity: requested, requestedResolution: resolution, reason: reason)
    }

    static func evaluate(_ line: ProductV1.EligibilityLine, _ policy: ProductV1.EffectivePolicy?, at asOf: String,
                         zone: String = "Europe/Berlin", kind: OrderV1.CaseKind = .returnRefund) throws -> ProductV1.LineVerdict {
        let window = try #require(ReturnWindow(timeZoneIdentifier: zone))
        return EligibilityEvaluator(kind: kind, asOf: utc(asOf), window: window).evaluate(line, policy: policy)
    }

    static func reasons(_ verdict: ProductV1.LineVerdict) -> [ProductV1.EligibilityReason] { verdict.findings.map(\.reason) }

    @Test func withinWithdrawalAndWindowTheLaterDeadlineWins() throws {
        // Delivered 10 March 05:00 Berlin; day 2.
        let verdict = try Self.evaluate(Self.line(), Self.germany, at: "2026-03-12T10:00:00Z")
        #expect(verdict.eligible && verdict.eligibleQuantity == 2)
        #expect(Self.reasons(verdict) == [.withinWithdrawalPeriod, .withinReturnWindow])
        #expect(verdict.findings.allSatisfy { !$0.blocking })
        // 30 days: ends 10 April 00:00 CEST = 9 April 22:00Z.
        #expect(verdict.deadline?.date == Self.utc("2026-04-09T22:00:00Z"))
        #expect(verdict.summary.contains("2026-04-09"))
        #expect(verdict.warrantyUntil?.date == Self.utc("2028-03-10T23:00:00Z"))
        #expect(verdict.allowedResolutions == Self.germany.allowedResolutions)
    }

    /// The edge of a 7-day window in Shanghai: open until 23:59:59 local on day 7, closed at midnight.
    @Test(arguments: [
        ("2026-03-17T15:59:59Z", true),   // 17 Mar 23:59:59 CST, delivery 10 Mar 12:00 CST → day 7
        ("2026-03-17T16:00:00Z", false),  // 18 Mar 00:00:00 CST
    ])
    func sevenDayNoReasonEdgeInShanghai(_ asOf: String, _ eligible: Bool) throws {
        var policy = Self.germany
        policy.market = "CN"
        policy.windowDays = 0
        policy.withdrawalDays = 0
        policy.noReasonReturnDays = 7
        let verdict = try Self.evaluate(Self.line(), policy, at: asOf, zone: "Asia/Shanghai")
        #expect(verdict.eligible == eligible)
        #expect(Self.reasons(verdict) == (eligible ? [.withinNoReasonPeriod] : [.windowPassed]))
        if !eligible { #expect(verdict.findings[0].message.contains("ended on 2026-03-17")) }
    }

    /// 23:30 vs 00:30 local delivery: the same instant an hour later gives a day more.
    @Test(arguments: [
        ("2026-03-10T15:30:00Z", false),  // 23:30 CST on 10 Mar: day 7 is 17 Mar, closed at 18 Mar 00:00 CST
        ("2026-03-10T16:30:00Z", true),   // 00:30 CST on 11 Mar: day 7 is 18 Mar
    ])
    func deliveryEitherSideOfLocalMidnight(_ deliveredAt: String, _ eligible: Bool) throws {
        var policy = Self.germany
        policy.withdrawalDays = 0
        policy.windowDays = 7
        let verdict = try Self.evaluate(Self.line(deliveredAt: deliveredAt), policy, at: "2026-03-17T16:30:00Z",
                                        zone: "Asia/Shanghai")
        #expect(verdict.eligible == eligible)
    }

    @Test func theSameInstantIsInsideInLosAngelesAndOutsideInShanghai() throws {
        var policy = Self.germany
        policy.withdrawalDays = 0
        policy.windowDays = 7
        let line = Self.line(deliveredAt: "2026-03-10T06:00:00Z")  // 14:00 10 Mar CST; 23:00 9 Mar PDT
        // 17 Mar 05:00Z: in Shanghai 13:00 on day 7 (open); in LA 22:00 on 16 Mar, day 7 (open).
        #expect(try Self.evaluate(line, policy, at: "2026-03-17T05:00:00Z", zone: "Asia/Shanghai").eligible)
        #expect(try Self.evaluate(line, policy, at: "2026-03-17T05:00:00Z", zone: "America/Los_Angeles").eligible)
        // 17 Mar 10:00Z: LA window closed at 17 Mar 00:00 PDT = 07:00Z; Shanghai still open until 16:00Z.
        #expect(try Self.evaluate(line, policy, at: "2026-03-17T10:00:00Z", zone: "Asia/Shanghai").eligible)
        #expect(try !Self.evaluate(line, policy, at: "2026-03-17T10:00:00Z", zone: "America/Los_Angeles").eligible)
    }

    @Test func finalSaleStillHonoursTheStatutoryPeriodThenRefuses() throws {
        var policy = Self.germany
        policy.finalSale = true
        let inside = try Self.evaluate(Self.line(), policy, at: "2026-03-20T10:00:00Z")
        #expect(inside.eligible && Self.reasons(inside) == [.withinWithdrawalPeriod])
        let after = try Self.evaluate(Self.line(), policy, at: "2026-03-26T10:00:00Z")
        #expect(!after.eligible && Self.reasons(after) == [.finalSale])
        #expect(after.eligibleQuantity == 0 && after.allowedResolutions.isEmpty && after.deadline == nil)
        #expect(after.summary.hasPrefix("Not eligible: Final-sale item"))
    }

    @Test func exemptFinalSaleRefusesAChangeOfMindButAFaultFallsBackOnTheWarranty() throws {
        let changed = try Self.evaluate(Self.line(), Self.chinaFinalSale, at: "2026-03-11T10:00:00Z", zone: "Asia/Shanghai")
        #expect(!changed.eligible && Self.reasons(changed) == [.finalSale])
        let defective = try Self.evaluate(Self.line(reason: .defective), Self.chinaFinalSale, at: "2026-03-11T10:00:00Z",
                                          zone: "Asia/Shanghai")
        #expect(defective.eligible && Self.reasons(defective) == [.withinWarranty])
        #expect(defective.allowedResolutions == [.replacement, .repair])
    }

    @Test func afterTheWindowAFaultUsesTheWarrantyWithRepairOrReplacementOnly() throws {
        let asOf = "2026-06-01T10:00:00Z"
        let refund = try Self.evaluate(Self.line(resolution: .refund, reason: .defective), Self.germany, at: asOf)
        #expect(!refund.eligible)
        #expect(Self.reasons(refund) == [.resolutionNotAllowed, .withinWarranty])
        #expect(refund.findings[0].blocking && !refund.findings[1].blocking)
        let repair = try Self.evaluate(Self.line(resolution: .repair, reason: .defective), Self.germany, at: asOf)
        #expect(repair.eligible && repair.allowedResolutions == [.replacement, .repair])
        #expect(repair.deadline == repair.warrantyUntil)
        let mind = try Self.evaluate(Self.line(reason: .changedMind), Self.germany, at: asOf)
        #expect(!mind.eligible && Self.reasons(mind) == [.windowPassed])
        #expect(mind.findings[0].message == "Return window of 30 days ended on 2026-04-09")
    }

    @Test func afterTheWarrantyEverythingIsBlockedWithBothReasons() throws {
        let verdict = try Self.evaluate(Self.line(reason: .warrantyFault), Self.germany, at: "2028-03-11T00:00:00Z")
        #expect(!verdict.eligible && Self.reasons(verdict) == [.windowPassed, .warrantyExpired])
        #expect(verdict.findings.allSatisfy { $0.blocking })
    }

    @Test func repairWarrantyCasesNeedTheWarrantyEvenInsideTheWindow() throws {
        let verdict = try Self.evaluate(Self.line(reason: .defective), Self.germany, at: "2026-03-12T10:00:00Z",
                                        kind: .repairWarranty)
        #expect(verdict.eligible && Self.reasons(verdict) == [.withinWarranty])
        var noWarranty = Self.germany
        noWarranty.warrantyMonths = 0
        let refused = try Self.evaluate(Self.line(reason: .defective), noWarranty, at: "2026-03-12T10:00:00Z",
                                        kind: .repairWarranty)
        #expect(!refused.eligible && Self.reasons(refused) == [.warrantyExpired])
    }

    @Test func quantityBeyondWhatIsLeftSaysHowManyMayBeRequested() throws {
        let verdict = try Self.evaluate(Self.line(delivered: 3, returned: 1, requested: 5), Self.germany, at: "2026-03-12T10:00:00Z")
        #expect(!verdict.eligible && verdict.eligibleQuantity == 2)
        #expect(Self.reasons(verdict) == [.quantityExceeded, .withinWithdrawalPeriod, .withinReturnWindow])
        let none = try Self.evaluate(Self.line(delivered: 2, returned: 2, requested: 0), Self.germany, at: "2026-03-12T10:00:00Z")
        #expect(!none.eligible && none.eligibleQuantity == 0 && Self.reasons(none).first == .quantityExceeded)
    }

    @Test func notDeliveredBlocksReturnsButNotRefundOnly() throws {
        let line = Self.line(deliveredAt: nil, delivered: 0, requested: 1)
        let returned = try Self.evaluate(line, Self.germany, at: "2026-03-12T10:00:00Z")
        #expect(!returned.eligible && Self.reasons(returned) == [.notDelivered])
        let refundOnly = try Self.evaluate(line, Self.germany, at: "2026-03-12T10:00:00Z", kind: .refundOnly)
        #expect(refundOnly.eligible && Self.reasons(refundOnly) == [.notDelivered])
        #expect(!refundOnly.findings[0].blocking && refundOnly.allowedResolutions == [.refund, .storeCredit])
        // Delivered in the future relative to as_of counts as not delivered.
        let future = try Self.evaluate(Self.line(deliveredAt: "2026-03-20T00:00:00Z"), Self.germany, at: "2026-03-12T10:00:00Z")
        #expect(Self.reasons(future) == [.notDelivered])
    }

    @Test func kindNotAllowedAndNoPolicyAndUnknownSKU() throws {
        var policy = Self.germany
        policy.allowedKinds = [.returnRefund]
        let exchange = try Self.evaluate(Self.line(), policy, at: "2026-03-12T10:00:00Z", kind: .exchange)
        #expect(!exchange.eligible && Self.reasons(exchange).first == .kindNotAllowed)
        let none = try Self.evaluate(Self.line(), nil, at: "2026-03-12T10:00:00Z")
        #expect(!none.eligible && Self.reasons(none) == [.noPolicy] && none.policy == nil)
        let window = try #require(ReturnWindow(timeZoneIdentifier: "UTC"))
        let unknown = EligibilityEvaluator(kind: .returnRefund, asOf: Date(), window: window).unknownSKU(Self.line())
        #expect(!unknown.eligible && Self.reasons(unknown) == [.unknownSKU])
        #expect(unknown.summary == "Not eligible: SKU SKU-1 is not in the catalogue.")
    }

    @Test func aPolicyWithoutAnyWindowRefusesChangeOfMind() throws {
        var policy = Self.germany
        policy.windowDays = 0
        policy.withdrawalDays = 0
        let verdict = try Self.evaluate(Self.line(), policy, at: "2026-03-12T10:00:00Z")
        #expect(!verdict.eligible && Self.reasons(verdict) == [.windowPassed])
        #expect(verdict.findings[0].message == "This product has no return window")
    }
}
