import Crypto
import Foundation
import GRDB
import Logging
import RPCShared
import ServiceRuntime

/// Runs the gateway's mutating workflows as sagas (see ``SagaRun``) and decides, when one fails, between undoing
/// it, leaving it to the reconciler, and what the caller hears.
///
/// | failure | saga | caller gets |
/// |---|---|---|
/// | before the pivot, definitive (NOT_ELIGIBLE, OUT_OF_STOCK, ABORTED…) | compensated → `failed` | that error; a retry with the same key is a new attempt |
/// | before the pivot, transient (a service down) | compensated → `retryable` | UNAVAILABLE; a retry with the same key starts a new attempt |
/// | the pivot itself, transient (outcome unknown) | `pending`: the reconciler repeats it with the same key | UNAVAILABLE |
/// | after the pivot, transient | `pending`: the reconciler finishes the remaining steps | the case as it stands |
/// | after the pivot, definitive | steps after the pivot undone → `completed` | the case as it stands |
public struct SagaCoordinator: Sendable {
    typealias Body = @Sendable (SagaRun) async throws -> OrderV1.Case

    let store: SagaStore
    let downstream: Downstream
    let locks = SagaLocks()
    let clock: ServiceClock
    let logger: Logger

    public init(store: SagaStore, downstream: Downstream, clock: ServiceClock = .system, logger: Logger) {
        self.store = store
        self.downstream = downstream
        self.clock = clock
        self.logger = logger
    }

    /// The saga of one gateway call: one per (method, caller, idempotency key), so two callers' keys never meet.
    static func sagaID(method: String, caller: GatewayCaller, key: String) -> String {
        let digest = SHA256.hash(data: Data("\(method)\n\(caller.role.rawValue):\(caller.subject)\n\(key)".utf8))
        return digest.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// Runs `body` as the saga for this call, or answers from an earlier run of the same key.
    func execute(method: String, request: some ProtoMessage, context: ServerContext, caller: GatewayCaller,
                 body: @escaping Body) async throws -> OrderV1.Case {
        let key = try IdempotencyStore.key(context)
        let id = Self.sagaID(method: method, caller: caller, key: key)
        let bytes = try request.serializedBytes()
        let now = clock.now()
        return try await locks.withLock(id) {
            let record = try await store.database.write { db -> SagaRecord in
                if var saga = try SagaRows.load(db, id: id) {
                    guard saga.request == bytes else {
                        throw RPCError.failedPrecondition(
                            "IDEMPOTENCY_KEY_REUSED",
                            "idempotency key '\(key)' was used for a different \(method) request", resource: "saga/\(id)")
                    }
                    // A failed or undone attempt left nothing behind: the retry is a new attempt with new keys
                    // (the services remember only successes too, so this matches calling them directly).
                    if saga.state == .retryable || saga.state == .failed {
                        saga.attempt += 1
                        try SagaRows.update(db, id: id, state: .running, attempt: saga.attempt, now: now)
                    }
                    return saga
                }
                let saga = SagaRecord(id: id, method: method, caller: caller, request: bytes, state: .running,
                                      attempt: 1, caseID: "", error: nil, tries: 0)
                try SagaRows.insert(db, saga, now: now)
                return saga
            }
            switch record.state {
            case .completed:
                return try await GatewayCallError.map("order") {
                    try await downstream.order.getCase(.init(caseID: record.caseID), options: try DownstreamBudget(context: context).read())
                }
            case .compensating:
                guard try await compensate(record, from: 0) else {
                    throw RPCError(.unavailable, "an earlier attempt of this call is still being undone; retry later",
                                   details: .init(reason: "DEPENDENCY_UNAVAILABLE", retryAfterMillis: 1000))
                }
                guard try await finishCompensation(record) == .completed else {
                    return try await restart(record, context: context, body: body)
                }
                return try await GatewayCallError.map("order") {
                    try await downstream.order.getCase(.init(caseID: record.caseID), options: try DownstreamBudget(context: context).read())
                }
            case .retryable, .failed, .running, .pending:
                return try await runAttempt(record, budget: DownstreamBudget(context: context), body: body)
            }
        }
    }

    private func restart(_ record: SagaRecord, context: ServerContext, body: @escaping Body) async throws -> OrderV1.Case {
        var record = record
        record.attempt += 1
        let (id, attempt, now) = (record.id, record.attempt, clock.now())
        try await store.database.write { db in try SagaRows.update(db, id: id, state: .running, attempt: attempt, now: now) }
        return try await runAttempt(record, budget: DownstreamBudget(context: context), body: body)
    }

    /// Runs (or resumes) one attempt and records how it ended.
    func runAttempt(_ record: SagaRecord, budget: DownstreamBudget, body: Body) async throws -> OrderV1.Case {
        let (id, attempt) = (record.id, record.attempt)
        let (journal, undoCount) = try await store.database.read { db in
            (try SagaRows.steps(db, saga: id, attempt: attempt),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM saga_undo WHERE saga_id = ? AND attempt = ?", arguments: [id, attempt]) ?? 0)
        }
        let run = SagaRun(id: id, attempt: attempt, budget: budget, store: store, journal: journal, undoCount: undoCount)
        do {
            let result = try await body(run)
            let now = clock.now()
            try await run.flush { db in try SagaRows.update(db, id: id, state: .completed, caseID: result.id, now: now) }
            return result
        } catch {
            return try await settle(run, record: record, error: error)
        }
    }

    private func settle(_ run: SagaRun, record: SagaRecord, error: any Error) async throws -> OrderV1.Case {
        let transient = GatewayCallError.isTransient(error)
        let caseID = run.latestCase?.id
        let (id, tries) = (record.id, record.tries)
        func save(_ state: SagaState, error: RPCError? = nil, retry: Bool = false) async throws {
            let now = clock.now()
            let delay = retry ? SagaReconciler.backoff(tries: tries) : nil
            try await run.flush { db in
                try SagaRows.update(db, id: id, state: state, caseID: caseID, error: error, retryIn: delay, now: now)
            }
        }
        let rpcError = (error as? RPCError) ?? RPCError(.unavailable, "interrupted: \(error)")
        if run.pivotDone {
            guard let afterSaleCase = run.latestCase else { throw error }
            if transient {
                logger.warning("saga pending after its pivot", metadata: ["saga": "\(id)", "method": "\(record.method)", "error": "\(error)"])
                try await save(.pending, retry: true)
            } else {
                logger.warning("saga step refused after the pivot; undoing what followed it",
                               metadata: ["saga": "\(id)", "method": "\(record.method)", "error": "\(error)"])
                try await run.flush()
                let undone = try await compensate(record, from: run.undosBeforePivot, budget: run.budget)
                try await save(undone ? .completed : .compensating, retry: !undone)
            }
            return afterSaleCase
        }
        if let failure = run.failure, failure.pivot, transient {
            logger.warning("saga pivot in doubt; the reconciler will repeat it", metadata: ["saga": "\(id)", "step": "\(failure.step)"])
            try await save(.pending, error: rpcError, retry: true)
            throw error
        }
        try await run.flush()
        let undone = try await compensate(record, from: 0, budget: run.budget)
        try await save(undone ? (transient ? .retryable : .failed) : .compensating, error: rpcError, retry: !undone)
        throw error
    }

    /// The state a saga takes once its compensations are all done: `completed` when they undid steps after the
    /// pivot, otherwise `failed` or `retryable` by the error that started them.
    @discardableResult
    func finishCompensation(_ record: SagaRecord) async throws -> SagaState {
        let state: SagaState = switch record.error {
        case nil: .completed
        case let error?: GatewayCallError.isTransient(error) ? .retryable : .failed
        }
        let (id, error, now) = (record.id, record.error, clock.now())
        try await store.database.write { db in try SagaRows.update(db, id: id, state: state, error: error, now: now) }
        return state
    }

    /// Runs the undos of `record`'s current attempt from `from` on, newest first. True when all are done.
    func compensate(_ record: SagaRecord, from: Int, budget: DownstreamBudget = .background()) async throws -> Bool {
        let (id, attempt) = (record.id, record.attempt)
        let undos = try await store.database.read { db in try SagaRows.undos(db, saga: id, attempt: attempt) }
        for undo in undos.reversed() where undo.seq >= from && !undo.done {
            do {
                let note = try await undo.action.perform(downstream, budget: budget, undoKey: "\(id).\(attempt)/undo.\(undo.seq)")
                logger.info("saga compensated", metadata: ["saga": "\(id)", "undo": "\(note)"])
            } catch {
                logger.warning("saga compensation failed; will retry", metadata: ["saga": "\(id)", "error": "\(error)"])
                return false
            }
            try await store.database.write { db in
                try db.execute(sql: "UPDATE saga_undo SET done = 1 WHERE saga_id = ? AND attempt = ? AND seq = ?",
                               arguments: [id, attempt, undo.seq])
            }
        }
        return true
    }
}

/// Serialises runs of the same saga in this process (a client retrying while its first call is still running,
/// or the reconciler picking up a saga a handler is finishing).
actor SagaLocks {
    private var held: [String: [CheckedContinuation<Void, Never>]] = [:]

    func withLock<T: Sendable>(_ id: String, _ body: @Sendable () async throws -> T) async throws -> T {
        await acquire(id)
        defer { release(id) }
        return try await body()
    }

    /// Takes the lock only if it is free (the reconciler skips busy sagas).
    func tryLock(_ id: String) -> Bool {
        guard held[id] == nil else { return false }
        held[id] = []
        return true
    }

    private func acquire(_ id: String) async {
        if held[id] == nil { held[id] = []; return }
        await withCheckedContinuation { held[id, default: []].append($0) }
    }

    func release(_ id: String) {
        guard var waiters = held[id] else { return }
        if waiters.isEmpty { held[id] = nil; return }
        let next = waiters.removeFirst()
        held[id] = waiters
        next.resume()
    }
}
