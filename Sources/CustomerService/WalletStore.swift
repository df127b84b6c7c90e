import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// The wallet ledger in SQLite. Entries are immutable except a credit's `remaining`, which debits and expiry
/// draw down; every change happens inside the caller's write transaction, and SQLite has one writer at a time,
/// so concurrent debits are serialised and each sees the balance the previous one left.
enum WalletStore {
    struct Header: Sendable {
        var version: Int64
        var updatedAt: Int64
    }

    static func header(_ db: Database, customerID: String) throws -> Header {
        guard let row = try Row.fetchOne(db, sql: "SELECT version, updated_at FROM wallet WHERE customer_id = ?",
                                         arguments: [customerID]) else {
            throw RPCError.notFound("customer", customerID)
        }
        return Header(version: row["version"], updatedAt: row["updated_at"])
    }

    /// +1 on the wallet's version; returns the new one.
    @discardableResult
    static func touch(_ db: Database, customerID: String, at now: Int64) throws -> Int64 {
        try db.execute(sql: "UPDATE wallet SET version = version + 1, updated_at = ? WHERE customer_id = ?",
                       arguments: [now, customerID])
        return try header(db, customerID: customerID).version
    }

    static func insert(_ db: Database, _ entry: CustomerV1.WalletEntry) throws {
        try db.execute(sql: """
            INSERT INTO wallet_entry (id, customer_id, kind, currency, amount, remaining, expires_at, created_at,
                                      idempotency_key, reason, reference)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [entry.id, entry.customerID, entry.kind.rawValue, entry.amount?.currency ?? "",
                             entry.amount?.minorUnits ?? 0, entry.remaining?.minorUnits ?? 0,
                             entry.expiresAt?.epochMicros, entry.createdAt?.epochMicros ?? 0,
                             entry.idempotencyKey, entry.reason, entry.reference])
    }

    static func entry(_ db: Database, id: String) throws -> CustomerV1.WalletEntry? {
        try Row.fetchOne(db, sql: "SELECT * FROM wallet_entry WHERE id = ?", arguments: [id]).map(entry(from:))
    }

    /// The CREDIT or DEBIT entry a customer made with `key`, if any (the ledger's own, permanent idempotency:
    /// it outlives the 72-hour idempotency records, so a refund retried weeks later still credits once).
    static func entry(_ db: Database, customerID: String, kind: CustomerV1.WalletEntryKind,
                      idempotencyKey: String) throws -> CustomerV1.WalletEntry? {
        try Row.fetchOne(db, sql: "SELECT * FROM wallet_entry WHERE customer_id = ? AND kind = ? AND idempotency_key = ?",
                         arguments: [customerID, kind.rawValue, idempotencyKey]).map(entry(from:))
    }

    /// Open credit lots of one currency (or all currencies when nil), for `customerID` (or everyone when nil).
    static func lots(_ db: Database, customerID: String?, currency: String?) throws -> [(customerID: String, currency: String, lot: WalletLedger.CreditLot)] {
        var sql = "SELECT id, customer_id, currency, remaining, expires_at, created_at FROM wallet_entry WHERE kind = 1 AND remaining > 0"
        var arguments: StatementArguments = []
        if let customerID { sql += " AND customer_id = ?"; arguments += [customerID] }
        if let currency { sql += " AND currency = ?"; arguments += [currency] }
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            (row["customer_id"], row["currency"],
             WalletLedger.CreditLot(entryID: row["id"], remaining: row["remaining"], expiresAt: row["expires_at"],
                                    createdAt: row["created_at"]))
        }
    }

    /// Takes `amount` off a credit's remaining; the CHECK constraint refuses a negative rest.
    static func drawDown(_ db: Database, creditID: String, amount: Int64) throws {
        try db.execute(sql: "UPDATE wallet_entry SET remaining = remaining - ? WHERE id = ? AND kind = 1",
                       arguments: [amount, creditID])
    }

    static func recordDraw(_ db: Database, debitID: String, creditID: String, amount: Int64) throws {
        try db.execute(sql: "INSERT INTO wallet_debit_draw (debit_id, credit_id, amount) VALUES (?, ?, ?)",
                       arguments: [debitID, creditID, amount])
    }

    /// Spendable balances per currency at `now`, sorted by currency; currencies at zero are left out.
    static func balances(_ db: Database, customerID: String, at now: Int64) throws -> [CommonV1.Money] {
        let grouped = Dictionary(grouping: try lots(db, customerID: customerID, currency: nil), by: \.currency)
        return grouped.keys.sorted().compactMap { currency in
            let balance = WalletLedger.balance(grouped[currency, default: []].map(\.lot), at: now)
            return balance > 0 ? CommonV1.Money(currency: currency, minorUnits: balance) : nil
        }
    }

    /// Entries newest first, keyset-paged on (created_at, id).
    static func page(_ db: Database, customerID: String, currency: String?, kinds: [CustomerV1.WalletEntryKind],
                     after cursor: PageCursor?, limit: Int) throws -> [CustomerV1.WalletEntry] {
        var sql = "SELECT * FROM wallet_entry WHERE customer_id = ?"
        var arguments: StatementArguments = [customerID]
        if let currency { sql += " AND currency = ?"; arguments += [currency] }
        if !kinds.isEmpty {
            sql += " AND kind IN (\(kinds.map { _ in "?" }.joined(separator: ", ")))"
            for kind in kinds { arguments += [kind.rawValue] }
        }
        if let cursor, let key = Int64(cursor.key) {
            sql += " AND (created_at < ? OR (created_at = ? AND id < ?))"
            arguments += [key, key, cursor.id]
        }
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
        arguments += [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map(entry(from:))
    }

    static func entry(from row: Row) -> CustomerV1.WalletEntry {
        let kind = CustomerV1.WalletEntryKind(rawValue: row["kind"])
        let currency: String = row["currency"]
        var entry = CustomerV1.WalletEntry(
            id: row["id"], customerID: row["customer_id"], kind: kind,
            amount: CommonV1.Money(currency: currency, minorUnits: row["amount"]),
            reason: row["reason"], reference: row["reference"],
            idempotencyKey: row["idempotency_key"],
            createdAt: CommonV1.Timestamp(epochMicros: row["created_at"]))
        if kind == .credit {
            entry.remaining = CommonV1.Money(currency: currency, minorUnits: row["remaining"])
            let expiresAt: Int64? = row["expires_at"]
            entry.expiresAt = expiresAt.map(CommonV1.Timestamp.init(epochMicros:))
        }
        return entry
    }
}
