import Foundation
import GRDB
import RPCShared
import ServiceRuntime

extension OrderHandler {
    public func getTimeline(_ request: OrderV1.GetTimelineRequest, context: ServerContext) async throws -> OrderV1.GetTimelineResponse {
        var check = FieldValidator()
        check.identifier(request.caseID, "case_id")
        OrderValidation.page(request.page, &check)
        try check.validate()
        let size = try PageCursor.pageSize(request.page)
        let query = "timeline|\(request.caseID)"
        let after = Int64(try PageCursor.decode(request.page, query: query)?.key ?? "0") ?? 0
        let rows = try await database.read { db in
            _ = try OrderStore.afterSaleCase(db, request.caseID)
            return try OrderStore.timeline(db, caseID: request.caseID, after: after, limit: size + 1).map { $0.entry ?? .init() }
        }
        let page = PageCursor.page(rows, size: size, query: query) { PageCursor(key: "\($0.sequence)", id: $0.id) }
        return OrderV1.GetTimelineResponse(entries: page.rows, page: page.page)
    }

    /// Streams the stored entries after `after_sequence`, then each new one as it commits, until the caller
    /// cancels. Every batch is read from the database after the last sequence sent, so the stream has no gaps and
    /// no duplicates however notifications interleave with commits.
    public func watchCase(_ request: OrderV1.WatchCaseRequest, responses: ResponseWriter<OrderV1.CaseEvent>,
                          context: ServerContext) async throws {
        var check = FieldValidator()
        check.identifier(request.caseID, "case_id")
        check.nonNegative(request.afterSequence, "after_sequence")
        try check.validate()
        // Subscribe before the first read: a commit between the read and the subscription would otherwise be missed.
        let wakeups = broadcaster.subscribe(request.caseID)
        _ = try await database.read { db in try OrderStore.afterSaleCase(db, request.caseID) }
        var last = request.afterSequence
        let batchSize = 200
        func drain() async throws {
            while true {
                let after = last
                let batch = try await database.read { db in
                    try OrderStore.timeline(db, caseID: request.caseID, after: after, limit: batchSize)
                }
                for event in batch {
                    let entry = event.entry ?? .init()
                    last = entry.sequence
                    if request.statusChangesOnly && entry.fromStatus == entry.toStatus { continue }
                    try await responses.write(event)
                }
                if batch.count < batchSize { return }
            }
        }
        try await drain()
        for await _ in wakeups {
            if Task.isCancelled { return }
            try await drain()
        }
    }
}
