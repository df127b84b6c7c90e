import AfterSaleTestSupport
@testable import CustomerService
import Foundation
import GRDB
import RPCShared
import ServiceRuntime
import Testing

/// The service's SQLite file across a restart: everything acknowledged is still there and behaves the same.
@Suite struct CustomerStoreTests {
    @Test func everythingAcknowledgedSurvivesARestart() async throws {
        let fixture = try await CustomerFixture.start()
        try await fixture.createCustomer()
        let customer = try await fixture.client.updateCustomer(.init(customerID: "cus_anna", name: .init(value: "Anna W.")),
                                                               options: .mutating())
        let credit = try await fixture.credit(5_000, expiresInDays: 10, key: "refund:ref_9")
        try await fixture.credit(1_000)
        try await fixture.debit(5_500, key: "pay-1")
        let feedback = try await fixture.client.submitFeedback(
            .init(customerID: "cus_anna", rating: 2, text: "late delivery", orderID: "ord_1", category: .lateDelivery,
                  categoryConfidence: 0.7), options: .mutating())
        let assessment = try await fixture.client.assessReturnRisk(
            .init(customerID: "cus_anna", caseID: "case_1", orderID: "ord_1", kind: .returnRefund,
                  caseValue: .init(currency: "EUR", minorUnits: 2_000), units: 1), options: .mutating())
        _ = try await fixture.client.recordInspectionOutcome(
            .init(customerID: "cus_anna", caseID: "case_1", findings: [.emptyBox], unitsInspected: 1, unitsRejected: 1),
            options: .mutating())
        let wallet = try await fixture.client.getWallet(.init(customerID: "cus_anna"))
        let entries = try await fixture.client.listWalletEntries(.init(customerID: "cus_anna"))
        let history = try await fixture.client.getCustomerHistory(.init(customerID: "cus_anna"))

        let restarted = try await fixture.restarted()
        do {
            #expect(try await restarted.client.getCustomer(.init(customerID: "cus_anna")) == customer)
            #expect(try await restarted.client.getWallet(.init(customerID: "cus_anna")) == wallet)
            #expect(try await restarted.client.listWalletEntries(.init(customerID: "cus_anna")) == entries)
            #expect(try await restarted.client.listFeedback(.init()).feedback == [feedback])
            #expect(try await restarted.client.getRiskAssessment(.init(caseID: "case_1")) == assessment)
            #expect(try await restarted.client.getCustomerHistory(.init(customerID: "cus_anna")) == history)
            #expect(history.inspectionMismatches == 1)

            // The remaining 500 of the spent-first credit is still the first to go, and still expires.
            let lot = try #require(try await restarted.client.listWalletEntries(.init(customerID: "cus_anna", kinds: [.credit]))
                .entries.first { $0.id == credit.id })
            #expect(lot.remaining?.minorUnits == 0)
            #expect(wallet.balances == [.init(currency: "EUR", minorUnits: 500)])

            // Replays after the restart: the refund credit and the debit do nothing again.
            #expect(try await restarted.credit(5_000, expiresInDays: 10, key: "refund:ref_9").id == credit.id)
            _ = try await restarted.debit(5_500, key: "pay-1")
            #expect(try await restarted.balance() == 500)

            // The salt survived too: the same e-mail hashes alike, so re-sending it is no change.
            let same = try await restarted.client.updateCustomer(
                .init(customerID: "cus_anna", email: .init(value: CustomerFixture.sampleEmail)), options: .mutating())
            #expect(same.version == customer.version)
        } catch {
            await restarted.stop()
            throw error
        }
        await restarted.stop()
    }

    @Test func theLedgerRefusesANegativeRemainderEvenIfCodeTriedOne() async throws {
        let directory = try TemporaryDirectory("customer-store")
        defer { directory.remove() }
        let database = try CustomerServiceApp.openDatabase(path: directory.file("customer.sqlite"))
        let now = Date()
        try await database.write { db in
            try CustomerStore.insert(db, .init(customer: .init(id: "cus_1", name: "A", version: 1,
                                                               createdAt: .init(now), updatedAt: .init(now))))
            try WalletStore.insert(db, .init(id: "wen_1", customerID: "cus_1", kind: .credit,
                                             amount: .init(currency: "EUR", minorUnits: 100), reason: "r",
                                             remaining: .init(currency: "EUR", minorUnits: 100), idempotencyKey: "k",
                                             createdAt: .init(now)))
        }
        await #expect(throws: RPCError.self) {
            try await database.write { db in try WalletStore.drawDown(db, creditID: "wen_1", amount: 101) }
        }
        let remaining = try await database.read { db in try Int64.fetchOne(db, sql: "SELECT remaining FROM wallet_entry") }
        #expect(remaining == 100)
        try database.pool.close()
    }
}
