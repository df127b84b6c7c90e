import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// The gateway's own database: the journal of its sagas. Cases, stock and shipments live in their services; the
/// gateway keeps only what it needs to finish or undo a workflow after a failure or a crash.
///
/// - `saga`: one row per (gateway method, caller, idempotency key): the request, the state, the attempt.
/// - `saga_step`: the response of every downstream call a saga made (reads too: they are the inputs of later
///   mutations, and a resumed saga must send byte-identical requests or the services see a reused key).
/// - `saga_undo`: compensations registered before the call they undo, done once each.
public struct SagaStore: Sendable {
    public let database: ServiceDatabase

    public init(database: ServiceDatabase) { self.database = database }

    /// Opens (creating and migrating) the gateway database at `path`.
    public static func open(path: String) throws -> SagaStore {
        SagaStore(database: try ServiceDatabase(path: path, migrations: migrate))
    }

    public static func migrate(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("gateway-v1-sagas") { db in
            try db.execute(sql: """
                CREATE TABLE saga (
                    id TEXT PRIMARY KEY,
                    method TEXT NOT NULL,
                    caller_subject TEXT NOT NULL,
                    caller_role TEXT NOT NULL,
                    request BLOB NOT NULL,
                    state TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    case_id TEXT NOT NULL DEFAULT '',
                    error BLOB,
                    tries INTEGER NOT NULL DEFAULT 0,
                    next_try_at INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL);
                CREATE INDEX saga_due ON saga(state, next_try_at) WHERE state IN ('pending', 'compensating');
                CREATE INDEX saga_case ON saga(case_id, method);
                CREATE TABLE saga_step (
                    saga_id TEXT NOT NULL REFERENCES saga(id),
                    attempt INTEGER NOT NULL,
                    step TEXT NOT NULL,
                    response BLOB NOT NULL,
                    PRIMARY KEY (saga_id, attempt, step)) WITHOUT ROWID;
                CREATE TABLE saga_undo (
                    saga_id TEXT NOT NULL REFERENCES saga(id),
                    attempt INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    action TEXT NOT NULL,
                    done INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (saga_id, attempt, seq)) WITHOUT ROWID;
                """)
        }
    }
}

/// Where a saga stands.
public enum SagaState: String, Sendable, Codable {
    /// A handler is running it now (after a crash: resumed like `pending`).
    case running
    /// It passed its point of no return and a later step failed transiently: the reconciler finishes it.
    case pending
    /// It failed before its point of no return and some compensation could not run yet: the reconciler runs it.
    case compensating
    /// Failed before its point of no return, compensated; a retry with the same key starts a new attempt.
    case retryable
    /// Failed for good (the stored error is the answer to every retry), compensated.
    case failed
    case completed
}

/// One stored saga.
struct SagaRecord: Sendable {
    var id: String
    var method: String
    var caller: GatewayCaller
    var request: [UInt8]
    var state: SagaState
    var attempt: Int
    var caseID: String
    var error: RPCError?
    var tries: Int
}

/// Storage of ``SagaRecord``s, steps and undos. All functions run inside a caller's transaction.
enum SagaRows {
    static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

    static func load(_ db: Database, id: String) throws -> SagaRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM saga WHERE id = ?", arguments: [id]) else { return nil }
        return try record(row)
    }

    static func record(_ row: Row) throws -> SagaRecord {
        let role = Role(rawValue: row["caller_role"]) ?? .service
        var error: RPCError?
        if let bytes: [UInt8] = (row["error"] as Data?).map({ Array($0) }) {
            let status = try RPCV1.Status(serializedBytes: bytes)
            error = RPCError(StatusCode(wireValue: status.code), status.message, details: status.details)
        }
        return SagaRecord(id: row["id"], method: row["method"],
                          caller: GatewayCaller(subject: row["caller_subject"], role: role),
                          request: Array(row["request"] as Data), state: SagaState(rawValue: row["state"]) ?? .pending,
                          attempt: row["attempt"], caseID: row["case_id"], error: error, tries: row["tries"])
    }

    static func insert(_ db: Database, _ saga: SagaRecord, now: Date) throws {
        try db.execute(sql: """
            INSERT INTO saga (id, method, caller_subject, caller_role, request, state, attempt, case_id, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [saga.id, saga.method, saga.caller.subject, saga.caller.role.rawValue, Data(saga.request),
                             saga.state.rawValue, saga.attempt, saga.caseID, micros(now), micros(now)])
    }

    /// Moves a saga to `state`; `retryIn` schedules the reconciler (backoff), `error` is kept for `failed`.
    static func update(_ db: Database, id: String, state: SagaState, attempt: Int? = nil, caseID: String? = nil,
                       error: RPCError? = nil, retryIn: Duration? = nil, now: Date) throws {
        var errorBytes: Data?
        if let error {
            let status = RPCV1.Status(code: Int32(error.code.rawValue), message: error.message, details: error.details)
            errorBytes = Data(try status.serializedBytes())
        }
        let nextTry = retryIn.map { micros(now) + Int64($0.components.seconds) * 1_000_000 + $0.components.attoseconds / 1_000_000_000_000 } ?? 0
        try db.execute(sql: """
            UPDATE saga SET state = ?, attempt = COALESCE(?, attempt), case_id = COALESCE(?, case_id), error = ?,
                tries = CASE WHEN ? IN ('pending', 'compensating') THEN tries + 1 ELSE 0 END,
                next_try_at = ?, updated_at = ?
            WHERE id = ?
            """, arguments: [state.rawValue, attempt, caseID, errorBytes, state.rawValue, nextTry, micros(now), id])
    }

    static func steps(_ db: Database, saga: String, attempt: Int) throws -> [String: [UInt8]] {
        var steps: [String: [UInt8]] = [:]
        let rows = try Row.fetchAll(db, sql: "SELECT step, response FROM saga_step WHERE saga_id = ? AND attempt = ?",
                                    arguments: [saga, attempt])
        for row in rows { steps[row["step"]] = Array(row["response"] as Data) }
        return steps
    }

    static func undos(_ db: Database, saga: String, attempt: Int) throws -> [(seq: Int, action: Compensation, done: Bool)] {
        try Row.fetchAll(db, sql: "SELECT seq, action, done FROM saga_undo WHERE saga_id = ? AND attempt = ? ORDER BY seq",
                         arguments: [saga, attempt]).map { row in
            (row["seq"], try JSONDecoder().decode(Compensation.self, from: Data((row["action"] as String).utf8)), row["done"])
        }
    }

    /// Sagas the reconciler should take up now.
    static func due(_ db: Database, now: Date, limit: Int) throws -> [SagaRecord] {
        try Row.fetchAll(db, sql: """
            SELECT * FROM saga WHERE state IN ('pending', 'compensating') AND next_try_at <= ?
            ORDER BY next_try_at LIMIT ?
            """, arguments: [micros(now), limit]).map(record)
    }

    /// The stored responses of `step` prefix across the completed sagas of a case (e.g. the reservations its
    /// approval made).
    static func responses(_ db: Database, caseID: String, stepPrefix: String) throws -> [[UInt8]] {
        try Row.fetchAll(db, sql: """
            SELECT s.response FROM saga_step s JOIN saga g ON g.id = s.saga_id AND g.attempt = s.attempt
            WHERE g.case_id = ? AND s.step LIKE ? ESCAPE '\\' ORDER BY g.created_at
            """, arguments: [caseID, stepPrefix.replacingOccurrences(of: "_", with: "\\_") + "%"]).map { Array($0["response"] as Data) }
    }
}

extension SagaStore {
    /// The OpenCase request that opened `caseID` through the gateway (its return method and pickup address are
    /// needed at approval); nil for cases opened elsewhere.
    func openingRequest(caseID: String) async throws -> GatewayV1.OpenCaseRequest? {
        let bytes = try await database.read { db in
            try Data.fetchOne(db, sql: "SELECT request FROM saga WHERE case_id = ? AND method = 'OpenCase' LIMIT 1", arguments: [caseID])
        }
        return try bytes.map { try GatewayV1.OpenCaseRequest(serializedBytes: Array($0)) }
    }

    /// The reservations the case's approvals made, oldest first.
    func reservations(caseID: String) async throws -> [String] {
        let responses = try await database.read { db in
            try SagaRows.responses(db, caseID: caseID, stepPrefix: "product.ReserveStock:")
        }
        return try responses.map { try ProductV1.Reservation(serializedBytes: $0).id }
    }
}
