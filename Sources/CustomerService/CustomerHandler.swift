import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// `aftersale.customer.v1.CustomerService`: validate → domain → storage → proto. The wallet, feedback and risk
/// RPCs live in the `CustomerHandler+…` files.
public struct CustomerHandler: CustomerV1.CustomerService.Handler {
    static let producer = CustomerV1.CustomerService.name

    let database: ServiceDatabase
    let hasher: SensitiveValueHasher
    let clock: ServiceClock
    let relay: OutboxRelay?

    public init(database: ServiceDatabase, hasher: SensitiveValueHasher, clock: ServiceClock = .system,
                relay: OutboxRelay? = nil) {
        self.database = database
        self.hasher = hasher
        self.clock = clock
        self.relay = relay
    }

    // MARK: Customers

    public func createCustomer(_ request: CustomerV1.CreateCustomerRequest, context: ServerContext) async throws -> CustomerV1.Customer {
        var check = FieldValidator()
        check.optionalIdentifier(request.customerID, "customer_id")
        check.name(request.name, "name", required: true)
        let email = CustomerValidation.email(request.email, "email", &check)
        let phone = CustomerValidation.phone(request.phone, "phone", &check)
        if request.email.isEmpty && request.phone.isEmpty { check.fail("email", "an e-mail address or a phone number is required") }
        CustomerValidation.market(request.market, "market", &check)
        let timeZone = CustomerValidation.timeZone(request.timeZone, market: request.market, "time_zone", &check)
        let addresses = CustomerValidation.addresses(request.addresses, "addresses", &check)
        let identity = CustomerValidation.identityDocument(request.identityDocument, "identity_document", &check)
        try check.validate()

        let now = clock.now()
        let id = request.customerID.isEmpty ? Identifier.make("cus", at: now) : request.customerID
        let customer = CustomerV1.Customer(
            id: id, name: request.name, email: email.map(ContactMasking.maskEmail) ?? "",
            phone: phone.map(ContactMasking.maskPhone) ?? "", addresses: addresses, market: request.market,
            timeZone: timeZone, identityDocumentOnFile: identity != nil, version: 1,
            createdAt: CommonV1.Timestamp(now), updatedAt: CommonV1.Timestamp(now))
        let stored = CustomerStore.StoredCustomer(
            customer: customer, emailHash: email.map { hasher.hash($0, purpose: "email") },
            phoneHash: phone.map { hasher.hash($0, purpose: "phone") },
            identityHash: identity.map { hasher.hash($0, purpose: "identity") })
        // The idempotency record keeps the request to compare repeats: keep it without the clear values.
        var redacted = request
        redacted.email = stored.emailHash ?? ""
        redacted.phone = stored.phoneHash ?? ""
        redacted.identityDocument = stored.identityHash ?? ""
        redacted.addresses = addresses
        return try await database.idempotent(redacted, context: context, clock: clock) { db in
            if try CustomerStore.exists(db, id: id) { throw RPCError.alreadyExists("customer", id) }
            try CustomerStore.insert(db, stored)
            return customer
        }
    }

    public func getCustomer(_ request: CustomerV1.GetCustomerRequest, context: ServerContext) async throws -> CustomerV1.Customer {
        var check = FieldValidator()
        check.identifier(request.customerID, "customer_id")
        try check.validate()
        return try await database.read { db in try CustomerStore.fetch(db, id: request.customerID).customer }
    }

    public func updateCustomer(_ request: CustomerV1.UpdateCustomerRequest, context: ServerContext) async throws -> CustomerV1.Customer {
        var check = FieldValidator()
        check.identifier(request.customerID, "customer_id")
        check.nonNegative(request.expectedVersion, "expected_version")
        if let name = request.name { check.name(name.value, "name.value", required: true) }
        let email = request.email.map { CustomerValidation.email($0.value, "email.value", &check) }
        let phone = request.phone.map { CustomerValidation.phone($0.value, "phone.value", &check) }
        if let market = request.market { CustomerValidation.market(market.value, "market.value", &check) }
        if let zone = request.timeZone {
            if zone.value.isEmpty { check.fail("time_zone.value", "is required") }
            else { _ = CustomerValidation.timeZone(zone.value, market: "", "time_zone.value", &check) }
        }
        let addresses = request.addresses.map { CustomerValidation.addresses($0.addresses, "addresses.addresses", &check) }
        let identity = request.identityDocument.map {
            $0.value.isEmpty ? nil : CustomerValidation.identityDocument($0.value, "identity_document.value", &check)
        }
        try check.validate()

        let now = clock.now()
        var redacted = request
        redacted.email = email.map { .init(value: $0.map { hasher.hash($0, purpose: "email") } ?? "") }
        redacted.phone = phone.map { .init(value: $0.map { hasher.hash($0, purpose: "phone") } ?? "") }
        redacted.identityDocument = identity.map { .init(value: $0.map { hasher.hash($0, purpose: "identity") } ?? "") }
        redacted.addresses = addresses.map { .init(addresses: $0) }
        return try await database.idempotent(redacted, context: context, clock: clock) { [hasher] db in
            let current = try CustomerStore.fetch(db, id: request.customerID)
            try RPCError.checkVersion("customer", request.customerID, expected: request.expectedVersion,
                                      current: current.customer.version)
            var next = current
            if let name = request.name { next.customer.name = name.value }
            if let email {
                next.customer.email = email.map(ContactMasking.maskEmail) ?? ""
                next.emailHash = email.map { hasher.hash($0, purpose: "email") }
            }
            if let phone {
                next.customer.phone = phone.map(ContactMasking.maskPhone) ?? ""
                next.phoneHash = phone.map { hasher.hash($0, purpose: "phone") }
            }
            if let addresses { next.customer.addresses = addresses }
            if let market = request.market { next.customer.market = market.value }
            if let zone = request.timeZone { next.customer.timeZone = zone.value }
            if let identity {
                next.identityHash = identity.map { hasher.hash($0, purpose: "identity") }
                next.customer.identityDocumentOnFile = identity != nil
            }
            if next.emailHash == nil && next.phoneHash == nil {
                throw RPCError.invalidArgument("email", "an e-mail address or a phone number must remain on file")
            }
            // Nothing changed: no new version, so a form saved twice does not look like a concurrent edit.
            guard next.customer != current.customer || next.emailHash != current.emailHash
                || next.phoneHash != current.phoneHash || next.identityHash != current.identityHash else {
                return current.customer
            }
            next.customer.version += 1
            next.customer.updatedAt = CommonV1.Timestamp(now)
            try CustomerStore.update(db, next)
            return next.customer
        }
    }

    public func getCustomerHistory(_ request: CustomerV1.GetCustomerHistoryRequest, context: ServerContext) async throws -> CustomerV1.CustomerHistory {
        var check = FieldValidator()
        check.identifier(request.customerID, "customer_id")
        try check.validate()
        return try await database.read { db in try Self.history(db, customerID: request.customerID) }
    }

    static func history(_ db: Database, customerID: String) throws -> CustomerV1.CustomerHistory {
        try CustomerStore.requireExists(db, id: customerID)
        return CustomerHistoryBuilder.history(
            customerID: customerID, facts: try RiskStore.caseFacts(db, customerID: customerID),
            inspectionMismatches: try RiskStore.mismatchCount(db, customerID: customerID),
            refundTotals: try RiskStore.walletRefundTotals(db, customerID: customerID),
            purchases: try RiskStore.purchases(db, customerID: customerID))
    }
}
