import AfterSaleTestSupport
@testable import CustomerService
import Foundation
import GRDB
import RPCShared
import ServiceRuntime
import Testing

@Suite struct CustomerHandlerWalletTests {
    @Test func concurrentDebitsOverARealSocketNeverOverdraw() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            try await fixture.credit(12_000, expiresInDays: 30)
            try await fixture.credit(8_000)
            let client = fixture.client
            // 60 parallel debits of 5.00 against 200.00: exactly 40 can succeed.
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<60 {
                    group.addTask {
                        do {
                            _ = try await client.debitWallet(
                                .init(customerID: "cus_anna", amount: .init(currency: "EUR", minorUnits: 500),
                                      reason: "order payment", reference: "ord_\(index)"),
                                options: .mutating(key: "debit-\(index)"))
                            return true
                        } catch let error as RPCError where error.errorDetails?.reason == "INSUFFICIENT_BALANCE" {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 40)
            #expect(outcomes.filter { !$0 }.count == 20)
            #expect(try await fixture.balance() == 0)
            let remaining = try await fixture.database.read { db in
                try Int64.fetchOne(db, sql: "SELECT MIN(remaining) FROM wallet_entry WHERE kind = 1")
            }
            #expect(remaining == 0)
            let wallet = try await fixture.client.getWallet(.init(customerID: "cus_anna"))
            #expect(wallet.version == 1 + 2 + 40)
            #expect(wallet.balances.isEmpty)
        }
    }

    @Test func debitsConsumeTheCreditsThatExpireFirstAndExpiryRemovesTheRest() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            let fiveDays = try await fixture.credit(1_000, expiresInDays: 5)
            let never = try await fixture.credit(2_000)
            let twoDays = try await fixture.credit(1_500, expiresInDays: 2)
            #expect(try await fixture.balance() == 4_500)

            let debit = try await fixture.debit(2_000)
            #expect(debit.kind == .debit && debit.remaining == nil && debit.expiresAt == nil)
            let credits = try await fixture.client.listWalletEntries(.init(customerID: "cus_anna", kinds: [.credit])).entries
            let remaining = Dictionary(uniqueKeysWithValues: credits.map { ($0.id, $0.remaining?.minorUnits ?? -1) })
            #expect(remaining == [twoDays.id: 0, fiveDays.id: 500, never.id: 2_000])

            fixture.clock.advance(days: 6)
            // Past its expiry the 5-day credit is no longer spendable, even before ExpireCredits runs.
            #expect(try await fixture.balance() == 2_000)
            let refused = await rpcError { try await fixture.debit(2_001) }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.errorDetails?.reason == "INSUFFICIENT_BALANCE")
            #expect(refused?.errorDetails?.metadata["available_minor_units"] == "2000")

            let expired = try await fixture.client.expireCredits(.init(), options: .mutating())
            #expect(expired.expiryEntries.count == 1)
            #expect(expired.expiryEntries.first?.reference == fiveDays.id)
            #expect(expired.expiryEntries.first?.amount == .init(currency: "EUR", minorUnits: 500))
            #expect(expired.expiredTotals == [.init(currency: "EUR", minorUnits: 500)])
            let again = try await fixture.client.expireCredits(.init(customerID: "cus_anna"), options: .mutating())
            #expect(again.expiryEntries.isEmpty && again.expiredTotals.isEmpty)

            // The ledger adds up: credits − debits − expiries = balance.
            let entries = try await fixture.client.listWalletEntries(.init(customerID: "cus_anna")).entries
            let signed = entries.reduce(Int64(0)) { sum, entry in
                sum + (entry.kind == .credit ? 1 : -1) * (entry.amount?.minorUnits ?? 0)
            }
            #expect(signed == 2_000)
            #expect(try await fixture.balance() == 2_000)
        }
    }

    @Test func expireCreditsAsOfAPastInstantOnlyExpiresWhatWasDueThen() async throws {
        let clock = TestClock()
        try await withCustomerService(clock: clock) { fixture in
            try await fixture.createCustomer()
            try await fixture.createCustomer("cus_bob")
            let due = try await fixture.credit(300, expiresInDays: 1)
            try await fixture.credit(700, customer: "cus_bob", currency: "CNY", expiresInDays: 3)
            clock.advance(days: 10)
            let asOf = CommonV1.Timestamp(clock.now.addingTimeInterval(-8 * 86_400))   // day 2
            let expired = try await fixture.client.expireCredits(.init(asOf: asOf), options: .mutating())
            #expect(expired.expiryEntries.map(\.reference) == [due.id])
            let rest = try await fixture.client.expireCredits(.init(), options: .mutating())
            #expect(rest.expiredTotals == [.init(currency: "CNY", minorUnits: 700)])
            #expect(rest.expiryEntries.first?.customerID == "cus_bob")
        }
    }

    @Test func aCreditWithTheSameKeyCreditsOnceEvenAfterIdempotencyRecordsArePurged() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            let request = CustomerV1.CreditWalletRequest(customerID: "cus_anna", amount: .init(currency: "EUR", minorUnits: 3_650),
                                                         reason: "refund for case case_1", reference: "ref_1")
            let key = CallOptions.mutating(key: "refund:ref_1")
            let first = try await fixture.client.creditWallet(request, options: key)
            let replay = try await fixture.client.creditWallet(request, options: key)
            #expect(replay == first)
            #expect(first.idempotencyKey == "refund:ref_1")
            #expect(try await fixture.balance() == 3_650)

            // Months later the 72-hour idempotency record is gone; the ledger still knows the key.
            _ = try await fixture.database.write { db in
                try IdempotencyStore.purge(db, now: Date().addingTimeInterval(365 * 86_400))
            }
            let late = try await fixture.client.creditWallet(request, options: key)
            #expect(late.id == first.id)
            #expect(try await fixture.balance() == 3_650)

            var different = request
            different.amount = .init(currency: "EUR", minorUnits: 9_999)
            let reused = await rpcError { _ = try await fixture.client.creditWallet(different, options: key) }
            #expect(reused?.code == .failedPrecondition)
            #expect(reused?.errorDetails?.reason == "IDEMPOTENCY_KEY_REUSED")
            #expect(try await fixture.balance() == 3_650)
        }
    }

    @Test func aDebitReplayDebitsOnce() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            try await fixture.credit(1_000)
            let first = try await fixture.debit(400, key: "pay-ord-1")
            let replay = try await fixture.debit(400, key: "pay-ord-1")
            #expect(replay == first)
            #expect(try await fixture.balance() == 600)
            let reused = await rpcError { try await fixture.debit(401, key: "pay-ord-1") }
            #expect(reused?.errorDetails?.reason == "IDEMPOTENCY_KEY_REUSED")
            #expect(try await fixture.balance() == 600)
        }
    }

    @Test func walletVersionIsCheckedAndCurrenciesAreKeptApart() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            try await fixture.credit(1_000)
            try await fixture.credit(5_000, currency: "CNY")
            let wallet = try await fixture.client.getWallet(.init(customerID: "cus_anna"))
            #expect(wallet.version == 3)
            #expect(wallet.balances == [.init(currency: "CNY", minorUnits: 5_000), .init(currency: "EUR", minorUnits: 1_000)])
            #expect(wallet.recentEntries.count == 2)

            let stale = await rpcError {
                _ = try await fixture.client.debitWallet(.init(customerID: "cus_anna", expectedVersion: 2,
                                                               amount: .init(currency: "EUR", minorUnits: 1), reason: "x"),
                                                         options: .mutating())
            }
            #expect(stale?.code == .aborted)
            #expect(stale?.errorDetails?.metadata["current_version"] == "3")
            let usd = await rpcError { try await fixture.debit(1, currency: "USD") }
            #expect(usd?.errorDetails?.reason == "INSUFFICIENT_BALANCE")
            _ = try await fixture.client.debitWallet(.init(customerID: "cus_anna", expectedVersion: 3,
                                                           amount: .init(currency: "CNY", minorUnits: 5_000), reason: "x"),
                                                     options: .mutating())
            #expect(try await fixture.balance(currency: "CNY") == 0)
            #expect(try await fixture.balance(currency: "EUR") == 1_000)
        }
    }

    @Test func walletEntriesArePagedNewestFirst() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            var ids: [String] = []
            for amount in 1...7 {
                ids.append(try await fixture.credit(Int64(amount * 100)).id)
                fixture.clock.advance(seconds: 1)
            }
            var seen: [String] = []
            var token = ""
            var pages = 0
            repeat {
                let response = try await fixture.client.listWalletEntries(
                    .init(page: .init(pageSize: 3, pageToken: token), customerID: "cus_anna", kinds: [.credit]))
                seen += response.entries.map(\.id)
                token = response.page?.nextPageToken ?? ""
                pages += 1
            } while !token.isEmpty
            #expect(pages == 3)
            #expect(seen == ids.reversed())

            let first = try await fixture.client.listWalletEntries(.init(page: .init(pageSize: 3), customerID: "cus_anna"))
            let wrongFilter = await rpcError {
                _ = try await fixture.client.listWalletEntries(
                    .init(page: .init(pageSize: 3, pageToken: first.page?.nextPageToken ?? ""), customerID: "cus_anna", currency: "CNY"))
            }
            #expect(wrongFilter?.code == .invalidArgument)
            #expect(wrongFilter?.message.contains("page.page_token") == true)
        }
    }
}
