import AfterSaleTestSupport
@testable import CustomerService
import Foundation
import GRDB
import RPCShared
import ServiceRuntime
import Testing

@Suite struct CustomerHandlerTests {
    @Test func contactDataIsMaskedInEveryResponseAndNeverStoredInTheClear() async throws {
        try await withCustomerService { fixture in
            let created = try await fixture.createCustomer()
            #expect(created.email == "a***r@example.de")
            #expect(created.phone == "+49 ••• ••• 123")
            #expect(created.addresses.first?.phone == "+49 ••• ••• 123")
            #expect(created.identityDocumentOnFile)
            #expect(created.version == 1 && created.timeZone == "Europe/Berlin")
            try expectNoSecrets(created)

            let fetched = try await fixture.client.getCustomer(.init(customerID: "cus_anna"))
            #expect(fetched == created)
            try expectNoSecrets(fetched)

            let updated = try await fixture.client.updateCustomer(
                .init(customerID: "cus_anna", expectedVersion: 1, name: .init(value: "Anna W."),
                      phone: .init(value: "+86 138 0013 5678"), addresses: .init(addresses: fetched.addresses)),
                options: .mutating())
            #expect(updated.name == "Anna W." && updated.version == 2)
            #expect(updated.phone == "+86 ••• ••• 678")
            #expect(updated.addresses == fetched.addresses, "a masked address phone sent back stays as it was")
            try expectNoSecrets(updated)
            #expect(!updated.jsonString().contains("13800135678"))

            // The database files hold none of it either (customer rows, idempotency records, WAL): only masks and
            // salted hashes.
            let files = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path)
                .filter { $0.hasPrefix("customer.sqlite") }
            #expect(files.count >= 2)
            for file in files {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.directory.file(file)))
                for secret in [CustomerFixture.sampleEmail, "anna.weber", "493055501123", "5550 1123",
                               CustomerFixture.sampleIdentity, "8613800135678", "138 0013"] {
                    #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(file) contains \(secret)")
                }
            }
        }
    }

    @Test func identityDocumentIsHashedWithTheDeploymentSaltAndCanBeForgotten() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            let hasher = try SensitiveValueHasher.loadOrCreate(directory: fixture.directory.path)
            let stored = try await fixture.database.read { db in try String.fetchOne(db, sql: "SELECT identity_hash FROM customer") }
            #expect(stored == hasher.hash(CustomerFixture.sampleIdentity, purpose: "identity"))

            let forgotten = try await fixture.client.updateCustomer(
                .init(customerID: "cus_anna", identityDocument: .init(value: "")), options: .mutating())
            #expect(!forgotten.identityDocumentOnFile && forgotten.version == 2)
            let cleared = try await fixture.database.read { db in try String.fetchOne(db, sql: "SELECT identity_hash FROM customer") }
            #expect(cleared == nil)
        }
    }

    @Test func createIsIdempotentAndRefusesATakenId() async throws {
        try await withCustomerService { fixture in
            let options = CallOptions.mutating(key: "create-anna")
            let first = try await fixture.client.createCustomer(CustomerFixture.createRequest(), options: options)
            let replay = try await fixture.client.createCustomer(CustomerFixture.createRequest(), options: options)
            #expect(replay == first)

            var other = CustomerFixture.createRequest()
            other.name = "Somebody Else"
            let reused = await rpcError { _ = try await fixture.client.createCustomer(other, options: options) }
            #expect(reused?.code == .failedPrecondition)
            #expect(reused?.errorDetails?.reason == "IDEMPOTENCY_KEY_REUSED")

            let taken = await rpcError { try await fixture.createCustomer() }
            #expect(taken?.code == .alreadyExists)
            #expect(taken?.errorDetails?.resource == "customer/cus_anna")
        }
    }

    @Test func generatedIdsAndMarketTimeZoneDefault() async throws {
        try await withCustomerService { fixture in
            let created = try await fixture.client.createCustomer(
                .init(name: "王芳", email: "wang.fang@example.cn", market: "CN"), options: .mutating())
            #expect(created.id.hasPrefix("cus_"))
            #expect(created.timeZone == "Asia/Shanghai")
            #expect(created.phone.isEmpty && !created.identityDocumentOnFile)
        }
    }

    @Test func updateChecksTheVersionAndANoOpKeepsIt() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            let conflict = await rpcError {
                _ = try await fixture.client.updateCustomer(.init(customerID: "cus_anna", expectedVersion: 7, name: .init(value: "X")),
                                                            options: .mutating())
            }
            #expect(conflict?.code == .aborted)
            #expect(conflict?.errorDetails?.reason == "VERSION_CONFLICT")
            #expect(conflict?.errorDetails?.metadata["current_version"] == "1")

            let same = try await fixture.client.updateCustomer(
                .init(customerID: "cus_anna", email: .init(value: CustomerFixture.sampleEmail), market: .init(value: "DE")),
                options: .mutating())
            #expect(same.version == 1)
            let unchanged = try await fixture.client.getCustomer(.init(customerID: "cus_anna"))
            #expect(unchanged.name == "Anna Weber" && unchanged.version == 1)
        }
    }

    @Test func updateCannotRemoveTheLastContact() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            let error = await rpcError {
                _ = try await fixture.client.updateCustomer(.init(customerID: "cus_anna", email: .init(value: ""), phone: .init(value: "")),
                                                            options: .mutating())
            }
            #expect(error?.code == .invalidArgument)
            #expect(try await fixture.client.getCustomer(.init(customerID: "cus_anna")).email == "a***r@example.de")
        }
    }

    @Test func everySeedCustomerCanBeCreatedOverRPC() async throws {
        try await withCustomerService { fixture in
            #expect(CustomerSeed.customers.count == 12)
            #expect(Set(CustomerSeed.customers.map(\.request.market)) == ["DE", "CN", "US"])
            for entry in CustomerSeed.customers {
                let customer = try await fixture.client.createCustomer(entry.request, options: .mutating())
                #expect(customer.id == entry.request.customerID)
                #expect(customer.timeZone == CustomerSeed.timeZones[entry.request.market])
                #expect(customer.email.contains("***") && customer.phone.contains("••• •••"))
                #expect(!customer.jsonString().contains(entry.request.email))
                #expect(customer.identityDocumentOnFile == !entry.request.identityDocument.isEmpty)
            // Reporting the first order at the seed's account start makes the account that old for the risk model.
            let assessment = try await fixture.client.assessReturnRisk(
                .init(customerID: customer.id, caseID: "case_seed_\(customer.id)", kind: .returnRefund,
                      caseValue: .init(currency: "EUR", minorUnits: 1_000), units: 1,
                      orderPlacedAt: .init(entry.accountStart(relativeTo: fixture.clock.now))),
                options: .mutating())
            #expect(assessment.factors.first { $0.name == "account_age" }?.value == Double(entry.accountAgeDays))
            }
        }
    }
}
