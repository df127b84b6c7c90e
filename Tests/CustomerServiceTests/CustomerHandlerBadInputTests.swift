import AfterSaleTestSupport
@testable import CustomerService
import Foundation
import GRDB
import RPCShared
import ServiceRuntime
import Testing

/// Every method refuses malformed input with the exact status and a message naming the field, and nothing
/// stored changes.
@Suite struct CustomerHandlerBadInputTests {
    typealias Client = CustomerV1.CustomerService.Client

    struct BadCall: Sendable, CustomTestStringConvertible {
        var method: String
        var label: String
        var code: StatusCode
        var field: String
        var call: @Sendable (Client) async throws -> Void
        var testDescription: String { "\(method): \(label)" }
    }

    static let long = String(repeating: "x", count: 300)
    static let eur = CommonV1.Money(currency: "EUR", minorUnits: 100)

    static func create(_ change: @escaping @Sendable (inout CustomerV1.CreateCustomerRequest) -> Void) -> @Sendable (Client) async throws -> Void {
        { client in
            var request = CustomerFixture.createRequest("cus_new")
            change(&request)
            _ = try await client.createCustomer(request, options: .mutating())
        }
    }

    static let calls: [BadCall] = [
        // CreateCustomer
        .init(method: "CreateCustomer", label: "no name", code: .invalidArgument, field: "name", call: create { $0.name = "" }),
        .init(method: "CreateCustomer", label: "oversize name", code: .invalidArgument, field: "name", call: create { $0.name = long }),
        .init(method: "CreateCustomer", label: "bad e-mail", code: .invalidArgument, field: "email", call: create { $0.email = "anna(at)example" }),
        .init(method: "CreateCustomer", label: "local phone", code: .invalidArgument, field: "phone", call: create { $0.phone = "030 555 1123" }),
        .init(method: "CreateCustomer", label: "no contact", code: .invalidArgument, field: "email", call: create { $0.email = ""; $0.phone = "" }),
        .init(method: "CreateCustomer", label: "bad market", code: .invalidArgument, field: "market", call: create { $0.market = "Germany" }),
        .init(method: "CreateCustomer", label: "unknown zone", code: .invalidArgument, field: "time_zone", call: create { $0.timeZone = "Mars/Olympus" }),
        .init(method: "CreateCustomer", label: "no zone outside seeded markets", code: .invalidArgument, field: "time_zone",
              call: create { $0.market = "FR"; $0.timeZone = "" }),
        .init(method: "CreateCustomer", label: "bad id", code: .invalidArgument, field: "customer_id", call: create { $0.customerID = "has space" }),
        .init(method: "CreateCustomer", label: "bad identity number", code: .invalidArgument, field: "identity_document",
              call: create { $0.identityDocument = "12" }),
        .init(method: "CreateCustomer", label: "address without city", code: .invalidArgument, field: "addresses[0].city",
              call: create { $0.addresses[0].city = "" }),
        .init(method: "CreateCustomer", label: "address country", code: .invalidArgument, field: "addresses[0].country",
              call: create { $0.addresses[0].country = "Deutschland" }),
        .init(method: "CreateCustomer", label: "address phone", code: .invalidArgument, field: "addresses[0].phone",
              call: create { $0.addresses[0].phone = "12" }),
        .init(method: "CreateCustomer", label: "too many addresses", code: .invalidArgument, field: "addresses",
              call: create { $0.addresses = Array(repeating: $0.addresses[0], count: 21) }),
        // GetCustomer
        .init(method: "GetCustomer", label: "no id", code: .invalidArgument, field: "customer_id", call: { _ = try await $0.getCustomer(.init()) }),
        .init(method: "GetCustomer", label: "unknown id", code: .notFound, field: "cus_nobody", call: { _ = try await $0.getCustomer(.init(customerID: "cus_nobody")) }),
        // UpdateCustomer
        .init(method: "UpdateCustomer", label: "unknown id", code: .notFound, field: "cus_nobody",
              call: { _ = try await $0.updateCustomer(.init(customerID: "cus_nobody", name: .init(value: "X")), options: .mutating()) }),
        .init(method: "UpdateCustomer", label: "empty name", code: .invalidArgument, field: "name.value",
              call: { _ = try await $0.updateCustomer(.init(customerID: "cus_anna", name: .init(value: "")), options: .mutating()) }),
        .init(method: "UpdateCustomer", label: "bad e-mail", code: .invalidArgument, field: "email.value",
              call: { _ = try await $0.updateCustomer(.init(customerID: "cus_anna", email: .init(value: "x@y")), options: .mutating()) }),
        .init(method: "UpdateCustomer", label: "empty zone", code: .invalidArgument, field: "time_zone.value",
              call: { _ = try await $0.updateCustomer(.init(customerID: "cus_anna", timeZone: .init(value: "")), options: .mutating()) }),
        .init(method: "UpdateCustomer", label: "negative version", code: .invalidArgument, field: "expected_version",
              call: { _ = try await $0.updateCustomer(.init(customerID: "cus_anna", expectedVersion: -1), options: .mutating()) }),
        .init(method: "UpdateCustomer", label: "no idempotency key", code: .invalidArgument, field: "idempotency-key",
              call: { _ = try await $0.updateCustomer(.init(customerID: "cus_anna", name: .init(value: "X"))) }),
        // GetCustomerHistory
        .init(method: "GetCustomerHistory", label: "no id", code: .invalidArgument, field: "customer_id", call: { _ = try await $0.getCustomerHistory(.init()) }),
        .init(method: "GetCustomerHistory", label: "unknown id", code: .notFound, field: "cus_nobody",
              call: { _ = try await $0.getCustomerHistory(.init(customerID: "cus_nobody")) }),
        // GetWallet
        .init(method: "GetWallet", label: "no id", code: .invalidArgument, field: "customer_id", call: { _ = try await $0.getWallet(.init()) }),
        .init(method: "GetWallet", label: "unknown id", code: .notFound, field: "cus_nobody", call: { _ = try await $0.getWallet(.init(customerID: "cus_nobody")) }),
        // ListWalletEntries
        .init(method: "ListWalletEntries", label: "no id", code: .invalidArgument, field: "customer_id", call: { _ = try await $0.listWalletEntries(.init()) }),
        .init(method: "ListWalletEntries", label: "bad currency", code: .invalidArgument, field: "currency",
              call: { _ = try await $0.listWalletEntries(.init(customerID: "cus_anna", currency: "euro")) }),
        .init(method: "ListWalletEntries", label: "unknown kind", code: .invalidArgument, field: "kinds[0]",
              call: { _ = try await $0.listWalletEntries(.init(customerID: "cus_anna", kinds: [.init(rawValue: 9)])) }),
        .init(method: "ListWalletEntries", label: "negative page size", code: .invalidArgument, field: "page.page_size",
              call: { _ = try await $0.listWalletEntries(.init(page: .init(pageSize: -1), customerID: "cus_anna")) }),
        .init(method: "ListWalletEntries", label: "forged token", code: .invalidArgument, field: "page.page_token",
              call: { _ = try await $0.listWalletEntries(.init(page: .init(pageToken: "bm9wZQ"), customerID: "cus_anna")) }),
        .init(method: "ListWalletEntries", label: "unknown customer", code: .notFound, field: "cus_nobody",
              call: { _ = try await $0.listWalletEntries(.init(customerID: "cus_nobody")) }),
        // CreditWallet
        .init(method: "CreditWallet", label: "no amount", code: .invalidArgument, field: "amount",
              call: { _ = try await $0.creditWallet(.init(customerID: "cus_anna", reason: "x"), options: .mutating()) }),
        .init(method: "CreditWallet", label: "negative amount", code: .invalidArgument, field: "amount.minor_units",
              call: { _ = try await $0.creditWallet(.init(customerID: "cus_anna", amount: .init(currency: "EUR", minorUnits: -5), reason: "x"), options: .mutating()) }),
        .init(method: "CreditWallet", label: "zero amount", code: .invalidArgument, field: "amount.minor_units",
              call: { _ = try await $0.creditWallet(.init(customerID: "cus_anna", amount: .init(currency: "EUR", minorUnits: 0), reason: "x"), options: .mutating()) }),
        .init(method: "CreditWallet", label: "bad currency", code: .invalidArgument, field: "amount.currency",
              call: { _ = try await $0.creditWallet(.init(customerID: "cus_anna", amount: .init(currency: "eur", minorUnits: 5), reason: "x"), options: .mutating()) }),
        .init(method: "CreditWallet", label: "no reason", code: .invalidArgument, field: "reason",
              call: { _ = try await $0.creditWallet(.init(customerID: "cus_anna", amount: eur), options: .mutating()) }),
        .init(method: "CreditWallet", label: "oversize reference", code: .invalidArgument, field: "reference",
              call: { _ = try await $0.creditWallet(.init(customerID: "cus_anna", amount: eur, reason: "x", reference: long), options: .mutating()) }),
        .init(method: "CreditWallet", label: "expiry in the past", code: .invalidArgument, field: "expires_at",
              call: { _ = try await $0.creditWallet(.init(customerID: "cus_anna", amount: eur, reason: "x", expiresAt: .init(epochSeconds: 1_000)), options: .mutating()) }),
        .init(method: "CreditWallet", label: "overflowing balance", code: .invalidArgument, field: "amount",
              call: { _ = try await $0.creditWallet(.init(customerID: "cus_anna", amount: .init(currency: "EUR", minorUnits: .max), reason: "x"), options: .mutating()) }),
        .init(method: "CreditWallet", label: "unknown customer", code: .notFound, field: "cus_nobody",
              call: { _ = try await $0.creditWallet(.init(customerID: "cus_nobody", amount: eur, reason: "x"), options: .mutating()) }),
        .init(method: "CreditWallet", label: "stale version", code: .aborted, field: "wallet/cus_anna",
              call: { _ = try await $0.creditWallet(.init(customerID: "cus_anna", expectedVersion: 9, amount: eur, reason: "x"), options: .mutating()) }),
        .init(method: "CreditWallet", label: "no idempotency key", code: .invalidArgument, field: "idempotency-key",
              call: { _ = try await $0.creditWallet(.init(customerID: "cus_anna", amount: eur, reason: "x")) }),
        // DebitWallet
        .init(method: "DebitWallet", label: "negative amount", code: .invalidArgument, field: "amount.minor_units",
              call: { _ = try await $0.debitWallet(.init(customerID: "cus_anna", amount: .init(currency: "EUR", minorUnits: -1), reason: "x"), options: .mutating()) }),
        .init(method: "DebitWallet", label: "no customer", code: .invalidArgument, field: "customer_id",
              call: { _ = try await $0.debitWallet(.init(amount: eur, reason: "x"), options: .mutating()) }),
        .init(method: "DebitWallet", label: "more than the balance", code: .failedPrecondition, field: "INSUFFICIENT_BALANCE",
              call: { _ = try await $0.debitWallet(.init(customerID: "cus_anna", amount: .init(currency: "EUR", minorUnits: 1_001), reason: "x"), options: .mutating()) }),
        .init(method: "DebitWallet", label: "unknown customer", code: .notFound, field: "cus_nobody",
              call: { _ = try await $0.debitWallet(.init(customerID: "cus_nobody", amount: eur, reason: "x"), options: .mutating()) }),
        // ExpireCredits
        .init(method: "ExpireCredits", label: "as_of in the future", code: .invalidArgument, field: "as_of",
              call: { _ = try await $0.expireCredits(.init(asOf: .init(epochSeconds: 250_000_000_000)), options: .mutating()) }),
        .init(method: "ExpireCredits", label: "as_of out of range", code: .invalidArgument, field: "as_of",
              call: { _ = try await $0.expireCredits(.init(asOf: .init(seconds: -5, nanos: 0)), options: .mutating()) }),
        .init(method: "ExpireCredits", label: "unknown customer", code: .notFound, field: "cus_nobody",
              call: { _ = try await $0.expireCredits(.init(customerID: "cus_nobody"), options: .mutating()) }),
        .init(method: "ExpireCredits", label: "no idempotency key", code: .invalidArgument, field: "idempotency-key",
              call: { _ = try await $0.expireCredits(.init()) }),
        // SubmitFeedback
        .init(method: "SubmitFeedback", label: "rating 0", code: .invalidArgument, field: "rating",
              call: { _ = try await $0.submitFeedback(.init(customerID: "cus_anna", rating: 0, orderID: "ord_1"), options: .mutating()) }),
        .init(method: "SubmitFeedback", label: "rating 6", code: .invalidArgument, field: "rating",
              call: { _ = try await $0.submitFeedback(.init(customerID: "cus_anna", rating: 6, orderID: "ord_1"), options: .mutating()) }),
        .init(method: "SubmitFeedback", label: "no link", code: .invalidArgument, field: "order_id",
              call: { _ = try await $0.submitFeedback(.init(customerID: "cus_anna", rating: 3), options: .mutating()) }),
        .init(method: "SubmitFeedback", label: "oversize text", code: .invalidArgument, field: "text",
              call: { _ = try await $0.submitFeedback(.init(customerID: "cus_anna", rating: 3, text: String(repeating: "x", count: 4_001), orderID: "o"), options: .mutating()) }),
        .init(method: "SubmitFeedback", label: "unknown category", code: .invalidArgument, field: "category",
              call: { _ = try await $0.submitFeedback(.init(customerID: "cus_anna", rating: 3, orderID: "o", category: .init(rawValue: 77)), options: .mutating()) }),
        .init(method: "SubmitFeedback", label: "confidence above 1", code: .invalidArgument, field: "category_confidence",
              call: { _ = try await $0.submitFeedback(.init(customerID: "cus_anna", rating: 3, orderID: "o", category: .defect, categoryConfidence: 1.5), options: .mutating()) }),
        .init(method: "SubmitFeedback", label: "NaN confidence", code: .invalidArgument, field: "category_confidence",
              call: { _ = try await $0.submitFeedback(.init(customerID: "cus_anna", rating: 3, orderID: "o", categoryConfidence: .nan), options: .mutating()) }),
        .init(method: "SubmitFeedback", label: "unknown customer", code: .notFound, field: "cus_nobody",
              call: { _ = try await $0.submitFeedback(.init(customerID: "cus_nobody", rating: 3, orderID: "o"), options: .mutating()) }),
        // ListFeedback
        .init(method: "ListFeedback", label: "min above max", code: .invalidArgument, field: "max_rating",
              call: { _ = try await $0.listFeedback(.init(minRating: 4, maxRating: 2)) }),
        .init(method: "ListFeedback", label: "rating 9", code: .invalidArgument, field: "min_rating",
              call: { _ = try await $0.listFeedback(.init(minRating: 9)) }),
        .init(method: "ListFeedback", label: "unknown sentiment", code: .invalidArgument, field: "sentiment",
              call: { _ = try await $0.listFeedback(.init(sentiment: .init(rawValue: 8))) }),
        .init(method: "ListFeedback", label: "bad customer id", code: .invalidArgument, field: "customer_id",
              call: { _ = try await $0.listFeedback(.init(customerID: "a b")) }),
        // AssessReturnRisk
        .init(method: "AssessReturnRisk", label: "no case", code: .invalidArgument, field: "case_id",
              call: { _ = try await $0.assessReturnRisk(.init(customerID: "cus_anna", kind: .returnRefund, caseValue: eur, units: 1), options: .mutating()) }),
        .init(method: "AssessReturnRisk", label: "no kind", code: .invalidArgument, field: "kind",
              call: { _ = try await $0.assessReturnRisk(.init(customerID: "cus_anna", caseID: "c", caseValue: eur, units: 1), options: .mutating()) }),
        .init(method: "AssessReturnRisk", label: "negative value", code: .invalidArgument, field: "case_value.minor_units",
              call: { _ = try await $0.assessReturnRisk(.init(customerID: "cus_anna", caseID: "c", kind: .returnRefund, caseValue: .init(currency: "EUR", minorUnits: -1), units: 1), options: .mutating()) }),
        .init(method: "AssessReturnRisk", label: "no value", code: .invalidArgument, field: "case_value",
              call: { _ = try await $0.assessReturnRisk(.init(customerID: "cus_anna", caseID: "c", kind: .returnRefund, units: 1), options: .mutating()) }),
        .init(method: "AssessReturnRisk", label: "zero units", code: .invalidArgument, field: "units",
              call: { _ = try await $0.assessReturnRisk(.init(customerID: "cus_anna", caseID: "c", kind: .returnRefund, caseValue: eur, units: 0), options: .mutating()) }),
        .init(method: "AssessReturnRisk", label: "unknown reason", code: .invalidArgument, field: "reasons[1]",
              call: { _ = try await $0.assessReturnRisk(.init(customerID: "cus_anna", caseID: "c", kind: .returnRefund, caseValue: eur, units: 1, reasons: [.defective, .init(rawValue: 99)]), options: .mutating()) }),
        .init(method: "AssessReturnRisk", label: "unknown customer", code: .notFound, field: "cus_nobody",
              call: { _ = try await $0.assessReturnRisk(.init(customerID: "cus_nobody", caseID: "c", kind: .returnRefund, caseValue: eur, units: 1), options: .mutating()) }),
        // GetRiskAssessment
        .init(method: "GetRiskAssessment", label: "neither id", code: .invalidArgument, field: "case_id", call: { _ = try await $0.getRiskAssessment(.init()) }),
        .init(method: "GetRiskAssessment", label: "unknown case", code: .notFound, field: "case_nope",
              call: { _ = try await $0.getRiskAssessment(.init(caseID: "case_nope")) }),
        .init(method: "GetRiskAssessment", label: "unknown id", code: .notFound, field: "rsk_nope",
              call: { _ = try await $0.getRiskAssessment(.init(assessmentID: "rsk_nope")) }),
        // RecordInspectionOutcome
        .init(method: "RecordInspectionOutcome", label: "no findings", code: .invalidArgument, field: "findings",
              call: { _ = try await $0.recordInspectionOutcome(.init(customerID: "cus_anna", caseID: "c", unitsInspected: 1), options: .mutating()) }),
        .init(method: "RecordInspectionOutcome", label: "unknown finding", code: .invalidArgument, field: "findings[0]",
              call: { _ = try await $0.recordInspectionOutcome(.init(customerID: "cus_anna", caseID: "c", findings: [.init(rawValue: 42)], unitsInspected: 1), options: .mutating()) }),
        .init(method: "RecordInspectionOutcome", label: "rejected above inspected", code: .invalidArgument, field: "units_rejected",
              call: { _ = try await $0.recordInspectionOutcome(.init(customerID: "cus_anna", caseID: "c", findings: [.emptyBox], unitsInspected: 1, unitsRejected: 2), options: .mutating()) }),
        .init(method: "RecordInspectionOutcome", label: "negative units", code: .invalidArgument, field: "units_inspected",
              call: { _ = try await $0.recordInspectionOutcome(.init(customerID: "cus_anna", caseID: "c", findings: [.emptyBox], unitsInspected: -1), options: .mutating()) }),
        .init(method: "RecordInspectionOutcome", label: "unknown customer", code: .notFound, field: "cus_nobody",
              call: { _ = try await $0.recordInspectionOutcome(.init(customerID: "cus_nobody", caseID: "c", findings: [.emptyBox], unitsInspected: 1), options: .mutating()) }),
    ]

    /// Everything a bad call could have touched.
    static func snapshot(_ fixture: CustomerFixture) async throws -> [String] {
        try await fixture.database.read { db in
            try ["customer", "wallet", "wallet_entry", "wallet_debit_draw", "feedback", "case_fact", "risk_assessment",
                 "inspection_outcome", "outbox"].map { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { "\($0)" }.joined(separator: "\n")
            }
        }
    }

    /// One service for all the calls (starting one per call costs more than the calls): each bad call is checked
    /// against the state the previous ones left, which must be the state before any of them.
    @Test func badInputIsRefusedAndChangesNothing() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            try await fixture.credit(1_000)
            let before = try await Self.snapshot(fixture)
            #expect(Set(Self.calls.map(\.method)).count == 14, "every RPC of the service has bad-input cases")
            for bad in Self.calls {
                let error = await rpcError { try await bad.call(fixture.client) }
                #expect(error?.code == bad.code, "\(bad.testDescription): \(error?.message ?? "no error")")
                let named = (error?.message.contains(bad.field) ?? false)
                    || error?.errorDetails?.reason == bad.field || error?.errorDetails?.resource == bad.field
                    || (error?.errorDetails?.fieldViolations.contains { $0.field == bad.field } ?? false)
                #expect(named, "\(bad.testDescription): \(error?.message ?? "") does not name \(bad.field)")
                if bad.code == .invalidArgument && bad.method != "ListWalletEntries" {
                    #expect(error?.errorDetails?.reason == "VALIDATION_FAILED", "\(bad.testDescription)")
                }
                // Rejected values are never echoed (they may be contact data).
                #expect(error?.message.contains("anna(at)example") != true)
                #expect(try await Self.snapshot(fixture) == before, "\(bad.testDescription) changed stored data")
            }
        }
    }
}
