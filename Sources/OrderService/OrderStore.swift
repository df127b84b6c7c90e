import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// OrderService's SQLite storage: orders, cases, the case timeline, refunds and the pending calls to other
/// services. Each record is kept whole as a serialized protobuf BLOB next to the columns queries need
/// (ids, status, times as epoch micros, version). Every function runs inside the caller's transaction.
public enum OrderStore {
    /// The schema, in order; never edit a registered migration, add a new one.
    public static func migrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("order.v1") { db in
            try db.execute(sql: """
                CREATE TABLE orders (
                    id TEXT PRIMARY KEY,
                    customer_id TEXT NOT NULL,
                    placed_at INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    record BLOB NOT NULL
                );
                CREATE INDEX orders_by_customer ON orders(customer_id, placed_at, id);
                CREATE TABLE order_line (
                    id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL REFERENCES orders(id)
                ) WITHOUT ROWID;
                CREATE TABLE cases (
                    id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL REFERENCES orders(id),
                    customer_id TEXT NOT NULL,
                    kind INTEGER NOT NULL,
                    status INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    authorisation_expires_at INTEGER,
                    version INTEGER NOT NULL,
                    record BLOB NOT NULL
                );
                CREATE INDEX cases_by_order ON cases(order_id);
                CREATE INDEX cases_by_created ON cases(created_at, id);
                CREATE INDEX cases_by_expiry ON cases(status, authorisation_expires_at);
                CREATE TABLE timeline (
                    case_id TEXT NOT NULL REFERENCES cases(id),
                    sequence INTEGER NOT NULL,
                    entry BLOB NOT NULL,
                    snapshot BLOB NOT NULL,
                    PRIMARY KEY (case_id, sequence)
                ) WITHOUT ROWID;
                CREATE TABLE refunds (
                    id TEXT PRIMARY KEY,
                    case_id TEXT NOT NULL REFERENCES cases(id),
                    order_id TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    record BLOB NOT NULL
                );
                CREATE INDEX refunds_by_case ON refunds(case_id);
                CREATE INDEX refunds_by_status ON refunds(status, created_at);
                CREATE TABLE pending_call (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    request BLOB NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    last_error TEXT NOT NULL DEFAULT '',
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX pending_call_due ON pending_call(state, next_attempt_at);
                """)
        }
    }

    static func decode<M: ProtoMessage>(_ row: Row, _ column: String = "record", as: M.Type = M.self) throws -> M {
        let data: Data = row[column]
        return try data.withUnsafeBytes { try M(serializedBytes: $0) }
    }

    static func blob(_ message: some ProtoMessage) throws -> Data { Data(try message.serializedBytes()) }

    // MARK: Orders

    public static func insertOrder(_ db: Database, _ order: OrderV1.Order) throws {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM orders WHERE id = ?", arguments: [order.id]) == true {
            throw RPCError.alreadyExists("order", order.id)
        }
        try db.execute(sql: "INSERT INTO orders (id, customer_id, placed_at, version, record) VALUES (?, ?, ?, ?, ?)",
                       arguments: [order.id, order.customerID, order.placedAt?.epochMicros ?? 0, order.version, try blob(order)])
        // Order line ids key the calls to other services ("sale:<order line id>"), so they are unique across orders.
        for line in order.lines {
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM order_line WHERE id = ?", arguments: [line.id]) == true {
                throw RPCError.alreadyExists("order line", line.id)
            }
            try db.execute(sql: "INSERT INTO order_line (id, order_id) VALUES (?, ?)", arguments: [line.id, order.id])
        }
    }

    /// The stored order (computed `open_case_quantity` not filled); NOT_FOUND when unknown.
    public static func order(_ db: Database, _ id: String) throws -> OrderV1.Order {
        try record(db, table: "orders", kind: "order", id: id)
    }

    /// The order with `open_case_quantity` computed from its cases.
    public static func orderWithLedger(_ db: Database, _ id: String) throws -> OrderV1.Order {
        OrderLineLedger.withOpenQuantities(try order(db, id), cases: try cases(db, orderID: id))
    }

    public static func updateOrder(_ db: Database, _ order: OrderV1.Order) throws {
        var stored = order
        for index in stored.lines.indices { stored.lines[index].openCaseQuantity = 0 }
        try db.execute(sql: "UPDATE orders SET version = ?, record = ? WHERE id = ?",
                       arguments: [stored.version, try blob(stored), stored.id])
    }

    public static func listOrders(_ db: Database, customerID: String, placedFrom: Int64?, placedBefore: Int64?,
                                  after cursor: PageCursor?, limit: Int) throws -> [OrderV1.Order] {
        var sql = "SELECT id FROM orders WHERE customer_id = ?"
        var arguments: StatementArguments = [customerID]
        if let placedFrom { sql += " AND placed_at >= ?"; arguments += [placedFrom] }
        if let placedBefore { sql += " AND placed_at < ?"; arguments += [placedBefore] }
        if let cursor {
            sql += " AND (placed_at < ? OR (placed_at = ? AND id < ?))"
            let key = Int64(cursor.key) ?? 0
            arguments += [key, key, cursor.id]
        }
        sql += " ORDER BY placed_at DESC, id DESC LIMIT ?"
        arguments += [limit]
        return try String.fetchAll(db, sql: sql, arguments: arguments).map { try orderWithLedger(db, $0) }
    }

    // MARK: Cases

    public static func insertCase(_ db: Database, _ afterSaleCase: OrderV1.Case) throws {
        try db.execute(sql: """
            INSERT INTO cases (id, order_id, customer_id, kind, status, created_at, authorisation_expires_at, version, record)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [afterSaleCase.id, afterSaleCase.orderID, afterSaleCase.customerID, afterSaleCase.kind.rawValue,
                             afterSaleCase.status.rawValue, afterSaleCase.createdAt?.epochMicros ?? 0,
                             afterSaleCase.authorisationExpiresAt?.epochMicros, afterSaleCase.version,
                             try blob(afterSaleCase)])
    }

    public static func updateCase(_ db: Database, _ afterSaleCase: OrderV1.Case) throws {
        try db.execute(sql: """
            UPDATE cases SET status = ?, authorisation_expires_at = ?, version = ?, record = ? WHERE id = ?
            """, arguments: [afterSaleCase.status.rawValue, afterSaleCase.authorisationExpiresAt?.epochMicros,
                             afterSaleCase.version, try blob(afterSaleCase), afterSaleCase.id])
    }

    /// The stored case; NOT_FOUND when unknown.
    public static func afterSaleCase(_ db: Database, _ id: String) throws -> OrderV1.Case {
        try record(db, table: "cases", kind: "case", id: id)
    }

    public static func cases(_ db: Database, orderID: String) throws -> [OrderV1.Case] {
        try records(db, table: "cases", where: "order_id", is: orderID)
    }

    /// The record with primary key `id` in `table`; NOT_FOUND (`kind/id`) when there is none.
    static func record<M: ProtoMessage>(_ db: Database, table: String, kind: String, id: String) throws -> M {
        guard let row = try Row.fetchOne(db, sql: "SELECT record FROM \(table) WHERE id = ?", arguments: [id]) else {
            throw RPCError.notFound(kind, id)
        }
        return try decode(row)
    }

    /// Records of `table` whose `column` is `value`, oldest first.
    static func records<M: ProtoMessage>(_ db: Database, table: String, where column: String, is value: String) throws -> [M] {
        try Row.fetchAll(db, sql: "SELECT record FROM \(table) WHERE \(column) = ? ORDER BY created_at, id", arguments: [value])
            .map { try decode($0) }
    }

    /// `column IN (?, ?, …)` for the statuses or kinds a list filters on.
    static func inClause<E: ProtoEnum>(_ column: String, _ values: [E], _ clauses: inout [String], _ arguments: inout StatementArguments) {
        guard !values.isEmpty else { return }
        clauses.append("\(column) IN (\(values.map { _ in "?" }.joined(separator: ",")))")
        arguments += StatementArguments(values.map(\.rawValue))
    }

    /// Newest-first keyset condition: rows strictly after `cursor` in (created_at DESC, id DESC) order.
    static func afterCursor(_ cursor: PageCursor?, _ clauses: inout [String], _ arguments: inout StatementArguments) {
        guard let cursor else { return }
        let key = Int64(cursor.key) ?? 0
        clauses.append("(created_at < ? OR (created_at = ? AND id < ?))")
        arguments += [key, key, cursor.id]
    }

    public struct CaseFilter: Sendable {
        public var customerID = ""
        public var orderID = ""
        public var statuses: [OrderV1.CaseStatus] = []
        public var kinds: [OrderV1.CaseKind] = []
        public var createdFrom: Int64?
        public var createdBefore: Int64?

        /// A stable description for page tokens.
        var query: String {
            "cases|\(customerID)|\(orderID)|\(statuses.map(\.rawValue).sorted())|\(kinds.map(\.rawValue).sorted())|\(createdFrom ?? -1)|\(createdBefore ?? -1)"
        }
    }

    public static func listCases(_ db: Database, _ filter: CaseFilter, after cursor: PageCursor?,
                                 limit: Int) throws -> [OrderV1.Case] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if !filter.customerID.isEmpty { clauses.append("customer_id = ?"); arguments += [filter.customerID] }
        if !filter.orderID.isEmpty { clauses.append("order_id = ?"); arguments += [filter.orderID] }
        inClause("status", filter.statuses, &clauses, &arguments)
        inClause("kind", filter.kinds, &clauses, &arguments)
        if let from = filter.createdFrom { clauses.append("created_at >= ?"); arguments += [from] }
        if let before = filter.createdBefore { clauses.append("created_at < ?"); arguments += [before] }
        afterCursor(cursor, &clauses, &arguments)
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        arguments += [limit]
        return try Row.fetchAll(db, sql: "SELECT record FROM cases \(whereClause) ORDER BY created_at DESC, id DESC LIMIT ?",
                                arguments: arguments).map { try decode($0) }
    }

    /// Ids of APPROVED / AWAITING_SHIPMENT cases whose authorisation expired at or before `asOf`.
    public static func overdueCaseIDs(_ db: Database, asOf: Int64, restrictTo ids: [String], limit: Int) throws -> [String] {
        var sql = "SELECT id FROM cases WHERE status IN (?, ?) AND authorisation_expires_at <= ?"
        var arguments: StatementArguments = [OrderV1.CaseStatus.approved.rawValue,
                                             OrderV1.CaseStatus.awaitingShipment.rawValue, asOf]
        if !ids.isEmpty {
            sql += " AND id IN (\(ids.map { _ in "?" }.joined(separator: ",")))"
            arguments += StatementArguments(ids)
        }
        sql += " ORDER BY authorisation_expires_at, id LIMIT ?"
        arguments += [limit]
        return try String.fetchAll(db, sql: sql, arguments: arguments)
    }

    // MARK: Timeline

    /// Appends `entry` (its `sequence` is assigned here: one more than the case's last) with the case as it is
    /// after the change, which WatchCase streams as the event's snapshot.
    public static func appendTimeline(_ db: Database, _ entry: OrderV1.TimelineEntry,
                                      snapshot: OrderV1.Case) throws -> OrderV1.TimelineEntry {
        var entry = entry
        let last = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM timeline WHERE case_id = ?",
                                      arguments: [entry.caseID]) ?? 0
        entry.sequence = last + 1
        try db.execute(sql: "INSERT INTO timeline (case_id, sequence, entry, snapshot) VALUES (?, ?, ?, ?)",
                       arguments: [entry.caseID, entry.sequence, try blob(entry), try blob(snapshot)])
        return entry
    }

    /// Entries of a case with sequence > `after`, oldest first.
    public static func timeline(_ db: Database, caseID: String, after: Int64, limit: Int) throws -> [OrderV1.CaseEvent] {
        try Row.fetchAll(db, sql: """
            SELECT entry, snapshot FROM timeline WHERE case_id = ? AND sequence > ? ORDER BY sequence LIMIT ?
            """, arguments: [caseID, after, limit]).map {
            OrderV1.CaseEvent(entry: try decode($0, "entry"), snapshot: try decode($0, "snapshot"))
        }
    }

    // MARK: Refunds

    public static func insertRefund(_ db: Database, _ refund: OrderV1.Refund) throws {
        try db.execute(sql: """
            INSERT INTO refunds (id, case_id, order_id, status, created_at, version, record) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [refund.id, refund.caseID, refund.orderID, refund.status.rawValue,
                             refund.createdAt?.epochMicros ?? 0, refund.version, try blob(refund)])
    }

    public static func updateRefund(_ db: Database, _ refund: OrderV1.Refund) throws {
        try db.execute(sql: "UPDATE refunds SET status = ?, version = ?, record = ? WHERE id = ?",
                       arguments: [refund.status.rawValue, refund.version, try blob(refund), refund.id])
    }

    public static func refund(_ db: Database, _ id: String) throws -> OrderV1.Refund {
        try record(db, table: "refunds", kind: "refund", id: id)
    }

    public static func refunds(_ db: Database, caseID: String) throws -> [OrderV1.Refund] {
        try records(db, table: "refunds", where: "case_id", is: caseID)
    }

    /// PENDING refunds, oldest first: the executor's work queue.
    public static func pendingRefunds(_ db: Database, limit: Int) throws -> [OrderV1.Refund] {
        try Row.fetchAll(db, sql: "SELECT record FROM refunds WHERE status = ? ORDER BY created_at, id LIMIT ?",
                         arguments: [OrderV1.RefundStatus.pending.rawValue, limit]).map { try decode($0) }
    }

    public static func listRefunds(_ db: Database, caseID: String, orderID: String, statuses: [OrderV1.RefundStatus],
                                   after cursor: PageCursor?, limit: Int) throws -> [OrderV1.Refund] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if !caseID.isEmpty { clauses.append("case_id = ?"); arguments += [caseID] }
        if !orderID.isEmpty { clauses.append("order_id = ?"); arguments += [orderID] }
        inClause("status", statuses, &clauses, &arguments)
        afterCursor(cursor, &clauses, &arguments)
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        arguments += [limit]
        return try Row.fetchAll(db, sql: "SELECT record FROM refunds \(whereClause) ORDER BY created_at DESC, id DESC LIMIT ?",
                                arguments: arguments).map { try decode($0) }
    }

    // MARK: Pending calls to other services

    /// A call to another service recorded in the transaction that needs it, delivered later by a worker.
    public struct PendingCall: Sendable {
        public var id: String
        public var kind: String
        public var idempotencyKey: String
        public var request: Data
        public var attempts: Int
    }

    public static func enqueueCall(_ db: Database, kind: String, idempotencyKey: String, request: some ProtoMessage,
                                   at now: Date) throws {
        try db.execute(sql: """
            INSERT INTO pending_call (id, kind, idempotency_key, request, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [Identifier.make("call", at: now), kind, idempotencyKey, try blob(request),
                             now.epochMicros, now.epochMicros])
    }

    public static func dueCalls(_ db: Database, kind: String, now: Date, limit: Int) throws -> [PendingCall] {
        try Row.fetchAll(db, sql: """
            SELECT id, kind, idempotency_key, request, attempts FROM pending_call
            WHERE state = 'pending' AND kind = ? AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
            """, arguments: [kind, now.epochMicros, limit]).map {
            PendingCall(id: $0["id"], kind: $0["kind"], idempotencyKey: $0["idempotency_key"], request: $0["request"],
                        attempts: $0["attempts"])
        }
    }

    /// Outcome of one attempt: delivered (row removed), retry at `next`, or given up (kept as 'rejected').
    public enum CallOutcome: Sendable {
        case delivered
        case retry(at: Date, error: String)
        case rejected(error: String)
    }

    public static func settleCall(_ db: Database, id: String, _ outcome: CallOutcome) throws {
        switch outcome {
        case .delivered:
            try db.execute(sql: "DELETE FROM pending_call WHERE id = ?", arguments: [id])
        case .retry(let next, let error):
            try db.execute(sql: "UPDATE pending_call SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
                           arguments: [next.epochMicros, String(error.prefix(1000)), id])
        case .rejected(let error):
            try db.execute(sql: "UPDATE pending_call SET attempts = attempts + 1, state = 'rejected', last_error = ? WHERE id = ?",
                           arguments: [String(error.prefix(1000)), id])
        }
    }

    /// Calls still waiting (state pending) of `kind`.
    public static func pendingCallCount(_ db: Database, kind: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_call WHERE state = 'pending' AND kind = ?", arguments: [kind]) ?? 0
    }
}
