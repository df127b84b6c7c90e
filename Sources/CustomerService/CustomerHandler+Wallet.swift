import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// The store-credit wallet RPCs.
extension CustomerHandler {
    /// How many entries `Wallet.recent_entries` carries.
    static let recentEntryCount = 20

    public func getWallet(_ request: CustomerV1.GetWalletRequest, context: ServerContext) async throws -> CustomerV1.Wallet {
        var check = FieldValidator()
        check.identifier(request.customerID, "customer_id")
        try check.validate()
        let now = clock.now().epochMicros
        return try await database.read { db in try Self.wallet(db, customerID: request.customerID, at: now) }
    }

    static func wallet(_ db: Database, customerID: String, at now: Int64) throws -> CustomerV1.Wallet {
        let header = try WalletStore.header(db, customerID: customerID)
        return CustomerV1.Wallet(
            customerID: customerID, balances: try WalletStore.balances(db, customerID: customerID, at: now),
            recentEntries: try WalletStore.page(db, customerID: customerID, currency: nil, kinds: [], after: nil,
                                                limit: recentEntryCount),
            version: header.version, updatedAt: .init(epochMicros: header.updatedAt))
    }

    public func listWalletEntries(_ request: CustomerV1.ListWalletEntriesRequest, context: ServerContext) async throws -> CustomerV1.ListWalletEntriesResponse {
        var check = FieldValidator()
        check.identifier(request.customerID, "customer_id")
        if !request.currency.isEmpty { check.currency(request.currency, "currency") }
        check.count(request.kinds, "kinds", max: 3)
        for (index, kind) in request.kinds.enumerated() { check.known(kind, "kinds[\(index)]") }
        try check.validate()
        let size = try PageCursor.pageSize(request.page)
        let query = "wallet-entries|\(request.customerID)|\(request.currency)|\(request.kinds.map { String($0.rawValue) }.joined(separator: ","))"
        let cursor = try PageCursor.decode(request.page, query: query)
        return try await database.read { db in
            try CustomerStore.requireExists(db, id: request.customerID)
            let rows = try WalletStore.page(db, customerID: request.customerID,
                                            currency: request.currency.isEmpty ? nil : request.currency,
                                            kinds: request.kinds, after: cursor, limit: size + 1)
            let (entries, page) = PageCursor.page(rows, size: size, query: query) { entry in
                PageCursor(key: String(entry.createdAt?.epochMicros ?? 0), id: entry.id)
            }
            return CustomerV1.ListWalletEntriesResponse(entries: entries, page: page)
        }
    }

    public func creditWallet(_ request: CustomerV1.CreditWalletRequest, context: ServerContext) async throws -> CustomerV1.WalletEntry {
        let now = clock.now()
        var check = validateMovement(customerID: request.customerID, expectedVersion: request.expectedVersion,
                                     amount: request.amount, reason: request.reason, reference: request.reference)
        check.timestamp(request.expiresAt, "expires_at")
        if let expiresAt = request.expiresAt, expiresAt.epochMicros <= now.epochMicros {
            check.fail("expires_at", "must be in the future")
        }
        try check.validate()
        let key = try IdempotencyStore.key(context)
        guard let amount = request.amount else { throw RPCError.invalidArgument("amount", "is required") }

        return try await database.idempotent(request, context: context, clock: clock) { db in
            try CustomerStore.requireExists(db, id: request.customerID)
            if let existing = try WalletStore.entry(db, customerID: request.customerID, kind: .credit, idempotencyKey: key) {
                guard existing.amount == amount, existing.reason == request.reason,
                      existing.reference == request.reference, existing.expiresAt == request.expiresAt else {
                    throw Self.keyReused(key, "CreditWallet")
                }
                return existing
            }
            let header = try WalletStore.header(db, customerID: request.customerID)
            try RPCError.checkVersion("wallet", request.customerID, expected: request.expectedVersion, current: header.version)
            // The balance must stay representable: refuse a credit that would overflow it.
            let open = try WalletStore.lots(db, customerID: request.customerID, currency: amount.currency)
            _ = try MoneyMath.add(.init(currency: amount.currency, minorUnits: open.reduce(0) { $0 + $1.lot.remaining }),
                                  amount, field: "amount")
            let entry = CustomerV1.WalletEntry(
                id: Identifier.make("wen", at: now), customerID: request.customerID, kind: .credit, amount: amount,
                reason: request.reason, reference: request.reference, expiresAt: request.expiresAt,
                remaining: amount, idempotencyKey: key, createdAt: CommonV1.Timestamp(now))
            try WalletStore.insert(db, entry)
            try WalletStore.touch(db, customerID: request.customerID, at: now.epochMicros)
            return entry
        }
    }

    public func debitWallet(_ request: CustomerV1.DebitWalletRequest, context: ServerContext) async throws -> CustomerV1.WalletEntry {
        try validateMovement(customerID: request.customerID, expectedVersion: request.expectedVersion,
                             amount: request.amount, reason: request.reason, reference: request.reference).validate()
        let key = try IdempotencyStore.key(context)
        guard let amount = request.amount else { throw RPCError.invalidArgument("amount", "is required") }
        let now = clock.now()

        return try await database.idempotent(request, context: context, clock: clock) { db in
            try CustomerStore.requireExists(db, id: request.customerID)
            if let existing = try WalletStore.entry(db, customerID: request.customerID, kind: .debit, idempotencyKey: key) {
                guard existing.amount == amount, existing.reason == request.reason, existing.reference == request.reference else {
                    throw Self.keyReused(key, "DebitWallet")
                }
                return existing
            }
            let header = try WalletStore.header(db, customerID: request.customerID)
            try RPCError.checkVersion("wallet", request.customerID, expected: request.expectedVersion, current: header.version)
            let lots = try WalletStore.lots(db, customerID: request.customerID, currency: amount.currency).map(\.lot)
            let draws: [WalletLedger.Draw]
            do throws(WalletLedger.InsufficientBalance) {
                draws = try WalletLedger.planDebit(amount.minorUnits, from: lots, at: now.epochMicros)
            } catch {
                throw RPCError.failedPrecondition(
                    "INSUFFICIENT_BALANCE",
                    "wallet of customer \(request.customerID) has \(MoneyFormat.text(.init(currency: amount.currency, minorUnits: error.available))) available; cannot debit \(MoneyFormat.text(amount))",
                    resource: "wallet/\(request.customerID)",
                    metadata: ["available_minor_units": "\(error.available)", "currency": amount.currency])
            }
            let entry = CustomerV1.WalletEntry(
                id: Identifier.make("wen", at: now), customerID: request.customerID, kind: .debit, amount: amount,
                reason: request.reason, reference: request.reference, idempotencyKey: key,
                createdAt: CommonV1.Timestamp(now))
            try WalletStore.insert(db, entry)
            for draw in draws {
                try WalletStore.drawDown(db, creditID: draw.entryID, amount: draw.amount)
                try WalletStore.recordDraw(db, debitID: entry.id, creditID: draw.entryID, amount: draw.amount)
            }
            try WalletStore.touch(db, customerID: request.customerID, at: now.epochMicros)
            return entry
        }
    }

    public func expireCredits(_ request: CustomerV1.ExpireCreditsRequest, context: ServerContext) async throws -> CustomerV1.ExpireCreditsResponse {
        let now = clock.now()
        var check = FieldValidator()
        check.optionalIdentifier(request.customerID, "customer_id")
        check.timestamp(request.asOf, "as_of")
        if let asOf = request.asOf, asOf.epochMicros > now.epochMicros {
            check.fail("as_of", "must not be in the future (credits cannot be expired early)")
        }
        try check.validate()
        let key = try IdempotencyStore.key(context)
        let asOf = request.asOf?.epochMicros ?? now.epochMicros

        return try await database.idempotent(request, context: context, clock: clock) { db in
            if !request.customerID.isEmpty { try CustomerStore.requireExists(db, id: request.customerID) }
            let open = try WalletStore.lots(db, customerID: request.customerID.isEmpty ? nil : request.customerID, currency: nil)
            let owners = Dictionary(open.map { ($0.lot.entryID, ($0.customerID, $0.currency)) }) { first, _ in first }
            var response = CustomerV1.ExpireCreditsResponse()
            var totals: [String: Int64] = [:]
            var touched: Set<String> = []
            for lot in WalletLedger.expired(open.map(\.lot), asOf: asOf) {
                guard let (customerID, currency) = owners[lot.entryID] else { continue }
                let entry = CustomerV1.WalletEntry(
                    id: Identifier.make("wen", at: now), customerID: customerID, kind: .expiry,
                    amount: .init(currency: currency, minorUnits: lot.remaining),
                    reason: "unspent rest of credit \(lot.entryID) expired", reference: lot.entryID,
                    idempotencyKey: key, createdAt: CommonV1.Timestamp(now))
                try WalletStore.insert(db, entry)
                try WalletStore.drawDown(db, creditID: lot.entryID, amount: lot.remaining)
                response.expiryEntries.append(entry)
                totals[currency, default: 0] += lot.remaining
                touched.insert(customerID)
            }
            for customerID in touched.sorted() { try WalletStore.touch(db, customerID: customerID, at: now.epochMicros) }
            response.expiredTotals = totals.keys.sorted().map { CommonV1.Money(currency: $0, minorUnits: totals[$0, default: 0]) }
            return response
        }
    }

    /// The checks CreditWallet and DebitWallet share.
    private func validateMovement(customerID: String, expectedVersion: Int64, amount: CommonV1.Money?,
                                  reason: String, reference: String) -> FieldValidator {
        var check = FieldValidator()
        check.identifier(customerID, "customer_id")
        check.nonNegative(expectedVersion, "expected_version")
        check.money(amount, "amount")
        if let amount, amount.minorUnits == 0 { check.fail("amount.minor_units", "must be positive, got 0") }
        check.name(reason, "reason", required: true)
        check.name(reference, "reference")
        return check
    }

    static func keyReused(_ key: String, _ method: String) -> RPCError {
        RPCError.failedPrecondition("IDEMPOTENCY_KEY_REUSED",
                                    "idempotency key '\(key)' already made a different \(method) entry in this wallet; use a new key",
                                    resource: "idempotency-key/\(key)")
    }
}
