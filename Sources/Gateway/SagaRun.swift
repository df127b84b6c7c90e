import Foundation
import GRDB
import RPCShared
import ServiceRuntime
import Synchronization

/// One attempt of one saga: every downstream call goes through ``read(_:service:_:)`` or
/// ``mutate(_:service:pivot:undo:_:)``, which journal the response and — for mutations — send the idempotency key
/// `<saga id>.<attempt>/<step>`, so running the same workflow code again (a client retry, the reconciler after a
/// crash) replays what was done and continues where it stopped.
///
/// The *pivot* is the saga's point of no return: the OrderService transition that makes the workflow visible.
/// Before it a failure is undone (compensations run, the caller gets the error); after it a transient failure
/// leaves the saga `pending` for the reconciler and the caller gets the case as it stands.
final class SagaRun: Sendable {
    let id: String
    let attempt: Int
    let budget: DownstreamBudget
    private let store: SagaStore
    private let state: Mutex<State>

    struct State {
        var journal: [String: [UInt8]]
        /// Responses not yet written; flushed before the next mutation and at the end.
        var unsaved: [(String, [UInt8])] = []
        var undosToSave: [Compensation] = []
        var undoCount: Int
        var pivotDone = false
        var undosBeforePivot = 0
        /// The step that failed, and whether it was the pivot.
        var failure: (step: String, pivot: Bool)?
        /// The newest case snapshot any step returned (OrderService transitions answer with the case).
        var latestCase: OrderV1.Case?
    }

    init(id: String, attempt: Int, budget: DownstreamBudget, store: SagaStore, journal: [String: [UInt8]], undoCount: Int) {
        self.id = id
        self.attempt = attempt
        self.budget = budget
        self.store = store
        state = Mutex(State(journal: journal, undoCount: undoCount))
    }

    func key(_ step: String) -> String { "\(id).\(attempt)/\(step)" }

    var pivotDone: Bool { state.withLock { $0.pivotDone } }
    var undosBeforePivot: Int { state.withLock { $0.undosBeforePivot } }
    var failure: (step: String, pivot: Bool)? { state.withLock { $0.failure } }
    var latestCase: OrderV1.Case? { state.withLock { $0.latestCase } }

    /// A journaled read: its answer is an input of later steps and must not change when the saga resumes.
    func read<R: ProtoMessage>(_ step: String, service: String,
                               _ call: @Sendable (CallOptions) async throws -> R) async throws -> R {
        if let stored = try journaled(step, as: R.self) { return stored }
        let response = try await GatewayCallError.map(service) { try await call(try budget.read()) }
        try remember(step, response)
        return response
    }

    /// A journaled mutation with its derived idempotency key. `undo` (if any) is on file before the call goes out.
    func mutate<R: ProtoMessage>(_ step: String, service: String, pivot: Bool = false, undo: Compensation? = nil,
                                 _ call: @Sendable (CallOptions) async throws -> R) async throws -> R {
        if let stored = try journaled(step, as: R.self) {
            if pivot { state.withLock { $0.pivotDone = true; $0.undosBeforePivot = $0.undoCount } }
            return stored
        }
        if let undo { state.withLock { $0.undosToSave.append(undo) } }
        try await flush()
        do {
            let response = try await GatewayCallError.map(service) { try await call(try budget.mutation(idempotencyKey: key(step))) }
            try remember(step, response)
            if pivot { state.withLock { $0.pivotDone = true; $0.undosBeforePivot = $0.undoCount } }
            return response
        } catch {
            state.withLock { $0.failure = (step, pivot) }
            throw error
        }
    }

    private func journaled<R: ProtoMessage>(_ step: String, as type: R.Type) throws -> R? {
        guard let bytes = state.withLock({ $0.journal[step] }) else { return nil }
        let response = try R(serializedBytes: bytes)
        if let afterSaleCase = response as? OrderV1.Case { state.withLock { $0.latestCase = afterSaleCase } }
        return response
    }

    private func remember<R: ProtoMessage>(_ step: String, _ response: R) throws {
        let bytes = try response.serializedBytes()
        state.withLock {
            $0.journal[step] = bytes
            $0.unsaved.append((step, bytes))
            if let afterSaleCase = response as? OrderV1.Case { $0.latestCase = afterSaleCase }
        }
    }

    /// Writes the responses and undos gathered since the last flush, in one transaction; `then` adds the saga's
    /// own update to it.
    func flush(then update: (@Sendable (Database) throws -> Void)? = nil) async throws {
        let (steps, undos, firstSeq) = state.withLock { state in
            defer { state.unsaved = []; state.undosToSave = [] }
            let first = state.undoCount
            state.undoCount += state.undosToSave.count
            return (state.unsaved, state.undosToSave, first)
        }
        guard !steps.isEmpty || !undos.isEmpty || update != nil else { return }
        let encoded = try undos.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let (id, attempt) = (id, attempt)
        try await store.database.write { db in
            for (step, bytes) in steps {
                try db.execute(sql: "INSERT OR REPLACE INTO saga_step (saga_id, attempt, step, response) VALUES (?, ?, ?, ?)",
                               arguments: [id, attempt, step, Data(bytes)])
            }
            for (offset, action) in encoded.enumerated() {
                try db.execute(sql: "INSERT INTO saga_undo (saga_id, attempt, seq, action) VALUES (?, ?, ?, ?)",
                               arguments: [id, attempt, firstSeq + offset, action])
            }
            try update?(db)
        }
    }
}
