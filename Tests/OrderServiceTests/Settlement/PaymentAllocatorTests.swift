import Foundation
import RPCShared
import Testing
@testable import OrderService

@Suite struct PaymentAllocatorTests {
    @Test func drawsCashFirstThenCashOnDeliveryThenStoreCreditAndUnknownLast() {
        let payments: [SettlementInput.Payment] = [
            .init(index: 0, id: "unknown", method: .unrecognized(9), captured: 10, refunded: 0, capturedAt: 1, caseID: ""),
            .init(index: 1, id: "gift", method: .giftCard, captured: 10, refunded: 0, capturedAt: 1, caseID: ""),
            .init(index: 2, id: "cod", method: .cashOnDelivery, captured: 10, refunded: 0, capturedAt: 1, caseID: ""),
            .init(index: 3, id: "card-untimed", method: .card, captured: 10, refunded: 0, capturedAt: nil, caseID: ""),
            .init(index: 4, id: "bank", method: .bankTransfer, captured: 10, refunded: 0, capturedAt: 5, caseID: ""),
            .init(index: 5, id: "spent", method: .card, captured: 10, refunded: 10, capturedAt: 0, caseID: ""),
        ]
        let allocations = PaymentAllocator.allocate(45, from: payments, mode: .originalPayments, currency: "EUR")
        #expect(allocations.map(\.paymentID) == ["bank", "card-untimed", "cod", "gift", "unknown"])
        #expect(allocations.map { $0.amount?.minorUnits ?? 0 } == [10, 10, 10, 10, 5])
        #expect(allocations.map(\.destination) == [.originalPayment, .originalPayment, .storeCredit, .originalPayment, .originalPayment])
    }
}
