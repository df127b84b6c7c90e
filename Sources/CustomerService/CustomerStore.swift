import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// The customer service's schema and the customer records.
///
/// A customer row keeps the proto (with the contact data already masked) as a BLOB plus the salted hashes of
/// the e-mail, phone and identity document. The clear values are never stored: nothing in the contract returns
/// them, so keeping them would only add risk (see docs/services/customer.md).
enum CustomerStore {
    static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("customer.v1") { db in
            try db.execute(sql: """
                CREATE TABLE customer (
                    id TEXT PRIMARY KEY,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    email_hash TEXT,
                    phone_hash TEXT,
                    identity_hash TEXT,
                    record BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX customer_email_hash ON customer(email_hash);
                CREATE TABLE wallet (
                    customer_id TEXT PRIMARY KEY REFERENCES customer(id),
                    version INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE wallet_entry (
                    id TEXT PRIMARY KEY,
                    customer_id TEXT NOT NULL REFERENCES customer(id),
                    kind INTEGER NOT NULL,
                    currency TEXT NOT NULL,
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    remaining INTEGER NOT NULL DEFAULT 0 CHECK (remaining >= 0 AND remaining <= amount),
                    expires_at INTEGER,
                    created_at INTEGER NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    reference TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX wallet_entry_customer ON wallet_entry(customer_id, created_at, id);
                CREATE INDEX wallet_entry_open_credit ON wallet_entry(customer_id, currency) WHERE kind = 1 AND remaining > 0;
                CREATE INDEX wallet_entry_expiring ON wallet_entry(expires_at) WHERE kind = 1 AND remaining > 0;
                CREATE UNIQUE INDEX wallet_entry_key ON wallet_entry(customer_id, kind, idempotency_key) WHERE kind IN (1, 2);
                CREATE TABLE wallet_debit_draw (
                    debit_id TEXT NOT NULL REFERENCES wallet_entry(id),
                    credit_id TEXT NOT NULL REFERENCES wallet_entry(id),
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    PRIMARY KEY (debit_id, credit_id)
                ) WITHOUT ROWID;
                CREATE TABLE feedback (
                    id TEXT PRIMARY KEY,
                    customer_id TEXT NOT NULL REFERENCES customer(id),
                    product_id TEXT NOT NULL,
                    case_id TEXT NOT NULL,
                    order_id TEXT NOT NULL,
                    rating INTEGER NOT NULL,
                    sentiment INTEGER NOT NULL,
                    category INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    record BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX feedback_created ON feedback(created_at, id);
                CREATE INDEX feedback_customer ON feedback(customer_id, created_at);
                CREATE INDEX feedback_product ON feedback(product_id, created_at);
                CREATE INDEX feedback_case ON feedback(case_id);
                CREATE TABLE case_fact (
                    case_id TEXT PRIMARY KEY,
                    customer_id TEXT NOT NULL REFERENCES customer(id),
                    order_id TEXT NOT NULL,
                    kind INTEGER NOT NULL,
                    units INTEGER NOT NULL,
                    value_currency TEXT NOT NULL,
                    value_minor INTEGER NOT NULL,
                    order_placed_at INTEGER,
                    first_assessed_at INTEGER NOT NULL,
                    last_assessed_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX case_fact_customer ON case_fact(customer_id, first_assessed_at);
                CREATE TABLE risk_assessment (
                    id TEXT PRIMARY KEY,
                    customer_id TEXT NOT NULL REFERENCES customer(id),
                    case_id TEXT NOT NULL,
                    score INTEGER NOT NULL,
                    decision INTEGER NOT NULL,
                    assessed_at INTEGER NOT NULL,
                    record BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX risk_assessment_case ON risk_assessment(case_id, assessed_at, id);
                CREATE TABLE inspection_outcome (
                    id TEXT PRIMARY KEY,
                    customer_id TEXT NOT NULL REFERENCES customer(id),
                    case_id TEXT NOT NULL,
                    mismatch INTEGER NOT NULL,
                    units_inspected INTEGER NOT NULL,
                    units_rejected INTEGER NOT NULL,
                    recorded_at INTEGER NOT NULL,
                    record BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX inspection_outcome_customer ON inspection_outcome(customer_id, recorded_at);
                """)
        }
        // The purchases callers report with AssessReturnRisk: the latest summary per customer.
        migrator.registerMigration("customer.v2-purchases") { db in
            try db.execute(sql: """
                CREATE TABLE purchase_summary (
                    customer_id TEXT PRIMARY KEY REFERENCES customer(id),
                    reported_at INTEGER NOT NULL,
                    first_order_at INTEGER,
                    summary BLOB NOT NULL
                ) WITHOUT ROWID;
                """)
        }
    }

    /// A stored customer with the hashes that never leave the service.
    struct StoredCustomer: Sendable {
        var customer: CustomerV1.Customer
        var emailHash: String?
        var phoneHash: String?
        var identityHash: String?
    }

    static func exists(_ db: Database, id: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM customer WHERE id = ?)", arguments: [id]) ?? false
    }

    /// NOT_FOUND unless the customer exists.
    static func requireExists(_ db: Database, id: String) throws {
        if try !exists(db, id: id) { throw RPCError.notFound("customer", id) }
    }

    static func fetch(_ db: Database, id: String) throws -> StoredCustomer {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM customer WHERE id = ?", arguments: [id]) else {
            throw RPCError.notFound("customer", id)
        }
        let bytes: Data = row["record"]
        return StoredCustomer(customer: try bytes.withUnsafeBytes { try CustomerV1.Customer(serializedBytes: $0) },
                              emailHash: row["email_hash"], phoneHash: row["phone_hash"],
                              identityHash: row["identity_hash"])
    }

    static func insert(_ db: Database, _ stored: StoredCustomer) throws {
        let customer = stored.customer
        try db.execute(sql: """
            INSERT INTO customer (id, version, created_at, updated_at, email_hash, phone_hash, identity_hash, record)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [customer.id, customer.version, customer.createdAt?.epochMicros ?? 0,
                             customer.updatedAt?.epochMicros ?? 0, stored.emailHash, stored.phoneHash,
                             stored.identityHash, Data(try customer.serializedBytes())])
        try db.execute(sql: "INSERT INTO wallet (customer_id, version, updated_at) VALUES (?, 1, ?)",
                       arguments: [customer.id, customer.createdAt?.epochMicros ?? 0])
    }

    static func update(_ db: Database, _ stored: StoredCustomer) throws {
        let customer = stored.customer
        try db.execute(sql: """
            UPDATE customer SET version = ?, updated_at = ?, email_hash = ?, phone_hash = ?, identity_hash = ?, record = ?
            WHERE id = ?
            """, arguments: [customer.version, customer.updatedAt?.epochMicros ?? 0, stored.emailHash,
                             stored.phoneHash, stored.identityHash, Data(try customer.serializedBytes()), customer.id])
    }

    /// When the account began: its creation, or the earliest order a caller reported, whichever is earlier
    /// (customers migrated from an older system have orders older than their record here).
    static func accountStart(_ db: Database, id: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: """
            SELECT MIN(c.created_at, COALESCE((SELECT MIN(order_placed_at) FROM case_fact WHERE customer_id = c.id), c.created_at),
                       COALESCE((SELECT first_order_at FROM purchase_summary WHERE customer_id = c.id), c.created_at))
            FROM customer c WHERE c.id = ?
            """, arguments: [id])
    }
}
