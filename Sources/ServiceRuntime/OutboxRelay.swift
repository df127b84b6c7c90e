import Foundation
import GRDB
import Logging
import RPCShared
import ServiceLifecycle
import Synchronization

/// Delivers a service's outbox to ReportingService with `IngestEvents`, at least once and in order.
///
/// Events leave the outbox only when the reporting service acknowledged them (accepted or duplicate). When it is
/// down the relay backs off (100 ms doubling to 10 s, with jitter) and the events wait: a reporting outage delays
/// reports and never blocks the workflow that produced them. Events the reporting service rejects as malformed
/// (retrying cannot help) move to `outbox_rejected` with the reason, so nothing is silently dropped.
public final class OutboxRelay: Service, Sendable {
    private let database: ServiceDatabase
    private let reporting: ReportingV1.ReportingService.Client?
    private let batchSize: Int
    private let pollInterval: Duration
    private let logger: Logger
    private let signal = WakeSignal()

    /// With `reporting` nil (no address configured) events accumulate until a relay with an address runs.
    /// `pollInterval` bounds how long an event committed without a ``wake()`` waits.
    public init(database: ServiceDatabase, reporting: ReportingV1.ReportingService.Client?, batchSize: Int = 200,
                pollInterval: Duration = .seconds(1), logger: Logger) {
        self.pollInterval = pollInterval
        self.database = database
        self.reporting = reporting
        self.batchSize = batchSize
        self.logger = logger
    }

    /// Tells the relay new events were committed, so it need not wait for its next poll.
    public func wake() { signal.wake() }

    public func run() async throws {
        guard let reporting else {
            logger.warning("no reporting address configured; events stay in the outbox")
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await self.deliverLoop(reporting)
        }
    }

    /// One delivery attempt: sends up to `batchSize` events; returns how many left the outbox.
    @discardableResult
    public func deliverOnce(_ reporting: ReportingV1.ReportingService.Client) async throws -> Int {
        let batch = try await database.read { [batchSize] db in try Outbox.pending(db, limit: batchSize) }
        guard !batch.isEmpty else { return 0 }
        let response = try await reporting.ingestEvents(.init(events: batch.map(\.envelope)),
                                                        options: CallOptions(timeout: .seconds(10)))
        let rejected = Dictionary(response.rejected.map { ($0.eventID, $0.reason) }, uniquingKeysWith: { first, _ in first })
        let sequences = batch.map(\.sequence)
        let envelopes = batch.map(\.envelope)
        try await database.write { db in
            for envelope in envelopes {
                guard let reason = rejected[envelope.eventID] else { continue }
                try db.execute(sql: "INSERT OR REPLACE INTO outbox_rejected (event_id, envelope, reason, rejected_at) VALUES (?, ?, ?, ?)",
                               arguments: [envelope.eventID, Data(try envelope.serializedBytes()), reason, Date().epochMicros])
            }
            try db.execute(sql: "DELETE FROM outbox WHERE sequence IN (\(sequences.map { _ in "?" }.joined(separator: ",")))",
                           arguments: StatementArguments(sequences))
        }
        for (id, reason) in rejected { logger.error("reporting rejected event", metadata: ["event_id": "\(id)", "reason": "\(reason)"]) }
        return batch.count
    }

    private func deliverLoop(_ reporting: ReportingV1.ReportingService.Client) async {
        var backoff = Duration.milliseconds(100)
        var failing = false
        while !Task.isCancelled {
            do {
                let delivered = try await deliverOnce(reporting)
                if failing {
                    logger.info("reporting reachable again; delivering the backlog")
                    failing = false
                }
                backoff = .milliseconds(100)
                if delivered == batchSize { continue }
                await signal.wait(upTo: pollInterval)
            } catch {
                if Task.isCancelled { return }
                if !failing {
                    logger.warning("cannot deliver events to reporting; retrying with backoff", metadata: ["error": "\(error)"])
                    failing = true
                }
                let jittered = backoff * Double.random(in: 0.5...1.0)
                try? await Task.sleep(for: jittered)
                backoff = min(backoff * 2, .seconds(10))
            }
        }
    }

}
