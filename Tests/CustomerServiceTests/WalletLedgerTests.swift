@testable import CustomerService
import Testing

@Suite struct WalletLedgerTests {
    typealias Lot = WalletLedger.CreditLot
    let now: Int64 = 1_000_000

    @Test func debitsConsumeTheCreditsThatExpireFirst() throws {
        let lots = [
            Lot(entryID: "never", remaining: 500, expiresAt: nil, createdAt: 1),
            Lot(entryID: "late", remaining: 300, expiresAt: now + 9_000, createdAt: 2),
            Lot(entryID: "soon", remaining: 200, expiresAt: now + 10, createdAt: 3),
        ]
        let draws = try WalletLedger.planDebit(600, from: lots, at: now)
        #expect(draws == [.init(entryID: "soon", amount: 200), .init(entryID: "late", amount: 300),
                          .init(entryID: "never", amount: 100)])
    }

    @Test func equalExpiryTakesTheOlderCreditFirst() throws {
        let lots = [Lot(entryID: "b", remaining: 100, expiresAt: nil, createdAt: 20),
                    Lot(entryID: "a", remaining: 100, expiresAt: nil, createdAt: 10)]
        #expect(try WalletLedger.planDebit(50, from: lots, at: now) == [.init(entryID: "a", amount: 50)])
    }

    @Test func aDebitAboveTheBalanceIsRefusedAndSaysWhatIsAvailable() {
        let lots = [Lot(entryID: "a", remaining: 100, expiresAt: nil, createdAt: 1)]
        #expect(throws: WalletLedger.InsufficientBalance(available: 100, requested: 101)) {
            try WalletLedger.planDebit(101, from: lots, at: now)
        }
        #expect((try? WalletLedger.planDebit(100, from: lots, at: now)) == [.init(entryID: "a", amount: 100)])
    }

    @Test func expiredCreditsAreNotSpendableEvenBeforeExpiryRuns() {
        let lots = [Lot(entryID: "lapsed", remaining: 100, expiresAt: now, createdAt: 1),
                    Lot(entryID: "live", remaining: 40, expiresAt: now + 1, createdAt: 2)]
        #expect(WalletLedger.balance(lots, at: now) == 40)
        #expect(throws: WalletLedger.InsufficientBalance.self) { try WalletLedger.planDebit(41, from: lots, at: now) }
    }

    @Test func expiryPicksLotsDueAtOrBeforeTheInstantThatStillHoldMoney() {
        let lots = [Lot(entryID: "due", remaining: 10, expiresAt: now, createdAt: 1),
                    Lot(entryID: "earlier", remaining: 5, expiresAt: now - 5, createdAt: 1),
                    Lot(entryID: "spent", remaining: 0, expiresAt: now - 5, createdAt: 1),
                    Lot(entryID: "future", remaining: 10, expiresAt: now + 1, createdAt: 1),
                    Lot(entryID: "never", remaining: 10, expiresAt: nil, createdAt: 1)]
        #expect(WalletLedger.expired(lots, asOf: now).map(\.entryID) == ["earlier", "due"])
    }
}
