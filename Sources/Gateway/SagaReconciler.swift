import Foundation
import Logging
import ServiceLifecycle
import ServiceRuntime

/// Finishes what callers left: sagas `pending` after their pivot (a step failed transiently, or the pivot's outcome
/// is unknown) are run again — replaying the journal, repeating the missing steps with the same keys — and
/// sagas `compensating` get their undos. After a crash, sagas a handler was running are taken up the same way.
/// Retries back off from 0.5 s to 60 s per saga, so a long outage costs little and nothing stays stuck.
public struct SagaReconciler: Service {
    let coordinator: SagaCoordinator
    let workflow: @Sendable (SagaRecord) throws -> SagaCoordinator.Body
    var interval: Duration = .milliseconds(500)
    /// Finished sagas are kept this long (a client may retry a call for as long, and operators can look back).
    static let retention: TimeInterval = 7 * 86_400

    static func backoff(tries: Int) -> Duration {
        .milliseconds(min(60_000, 500 << min(tries, 7)))
    }

    public func run() async throws {
        let now = coordinator.clock.now()
        let resumed = try await coordinator.store.database.write { db in
            try db.execute(sql: "UPDATE saga SET state = 'pending', next_try_at = 0, updated_at = ? WHERE state = 'running'",
                           arguments: [SagaRows.micros(now)])
            return db.changesCount
        }
        if resumed > 0 { coordinator.logger.notice("resuming sagas interrupted by a restart", metadata: ["count": "\(resumed)"]) }
        await cancelWhenGracefulShutdown {
            var lastPurge = ContinuousClock.now - .seconds(3600)
            while !Task.isCancelled {
                do {
                    try await reconcileDue()
                    if ContinuousClock.now - lastPurge >= .seconds(3600) {
                        lastPurge = .now
                        let purged = try await purgeFinished()
                        if purged > 0 { coordinator.logger.info("purged finished sagas", metadata: ["count": "\(purged)"]) }
                    }
                } catch {
                    coordinator.logger.warning("reconciler pass failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// One pass over the sagas that are due now. Returns how many it took up.
    @discardableResult
    func reconcileDue() async throws -> Int {
        let now = coordinator.clock.now()
        let due = try await coordinator.store.database.read { db in try SagaRows.due(db, now: now, limit: 32) }
        var taken = 0
        for record in due where await coordinator.locks.tryLock(record.id) {
            taken += 1
            await resume(record)
            await coordinator.locks.release(record.id)
        }
        return taken
    }

    /// Deletes sagas that finished more than ``retention`` ago, with their steps and undos.
    @discardableResult
    func purgeFinished() async throws -> Int {
        let cutoff = SagaRows.micros(coordinator.clock.now().addingTimeInterval(-Self.retention))
        return try await coordinator.store.database.write { db in
            let finished = "SELECT id FROM saga WHERE state IN ('completed', 'failed', 'retryable') AND updated_at < ?"
            try db.execute(sql: "DELETE FROM saga_step WHERE saga_id IN (\(finished))", arguments: [cutoff])
            try db.execute(sql: "DELETE FROM saga_undo WHERE saga_id IN (\(finished))", arguments: [cutoff])
            try db.execute(sql: "DELETE FROM saga WHERE state IN ('completed', 'failed', 'retryable') AND updated_at < ?", arguments: [cutoff])
            return db.changesCount
        }
    }

    private func resume(_ record: SagaRecord) async {
        let logger = coordinator.logger
        do {
            switch record.state {
            case .compensating:
                if try await coordinator.compensate(record, from: 0) {
                    try await coordinator.finishCompensation(record)
                } else {
                    let (id, error, now, delay) = (record.id, record.error, coordinator.clock.now(), Self.backoff(tries: record.tries))
                    try await coordinator.store.database.write { db in
                        try SagaRows.update(db, id: id, state: .compensating, error: error, retryIn: delay, now: now)
                    }
                }
            default:
                let afterSaleCase = try await coordinator.runAttempt(record, budget: .background(), body: try workflow(record))
                logger.info("saga finished by the reconciler", metadata: ["saga": "\(record.id)", "case": "\(afterSaleCase.id)"])
            }
        } catch {
            logger.info("saga not finished yet", metadata: ["saga": "\(record.id)", "error": "\(error)"])
        }
    }
}
