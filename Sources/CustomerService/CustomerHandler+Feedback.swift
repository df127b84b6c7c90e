import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// Feedback: stored with its sentiment (computed here) and the issue category the caller classified.
extension CustomerHandler {
    public func submitFeedback(_ request: CustomerV1.SubmitFeedbackRequest, context: ServerContext) async throws -> CustomerV1.Feedback {
        var check = FieldValidator()
        check.identifier(request.customerID, "customer_id")
        check.range(request.rating, 1...5, "rating")
        check.text(request.text, "text")
        check.optionalIdentifier(request.orderID, "order_id")
        check.optionalIdentifier(request.productID, "product_id")
        check.optionalIdentifier(request.sku, "sku")
        check.optionalIdentifier(request.caseID, "case_id")
        if request.orderID.isEmpty && request.productID.isEmpty && request.caseID.isEmpty {
            check.fail("order_id", "one of order_id, product_id or case_id is required")
        }
        if request.category.protoName == nil { check.fail("category", "has unknown value \(request.category.rawValue)") }
        if !request.categoryConfidence.isFinite || !(0...1).contains(request.categoryConfidence) {
            check.fail("category_confidence", "must be between 0 and 1")
        }
        try check.validate()

        let now = clock.now()
        // The gateway classifies the text with ProductService.ClassifyText and passes the category; without one
        // the feedback is stored UNSPECIFIED (this service does not call ProductService).
        let classified = request.category != .unspecified
        let feedback = CustomerV1.Feedback(
            id: Identifier.make("fbk", at: now), customerID: request.customerID, rating: request.rating,
            text: request.text, orderID: request.orderID, productID: request.productID, sku: request.sku,
            caseID: request.caseID, sentiment: SentimentAnalyzer.feedbackSentiment(rating: request.rating, text: request.text),
            category: request.category, categoryConfidence: classified ? request.categoryConfidence : 0,
            createdAt: CommonV1.Timestamp(now))
        let stored = try await database.idempotent(request, context: context, clock: clock) { db in
            try CustomerStore.requireExists(db, id: request.customerID)
            try FeedbackStore.insert(db, feedback)
            try Outbox.enqueue(db, ReportingV1.EventEnvelope(
                eventType: .feedbackSubmitted, aggregateType: "feedback", aggregateID: feedback.id,
                aggregateVersion: 1, payload: .feedback(feedback)), producer: Self.producer, at: now)
            return feedback
        }
        relay?.wake()
        return stored
    }

    public func listFeedback(_ request: CustomerV1.ListFeedbackRequest, context: ServerContext) async throws -> CustomerV1.ListFeedbackResponse {
        var check = FieldValidator()
        check.optionalIdentifier(request.customerID, "customer_id")
        check.optionalIdentifier(request.productID, "product_id")
        check.optionalIdentifier(request.caseID, "case_id")
        check.range(request.minRating, 0...5, "min_rating")
        check.range(request.maxRating, 0...5, "max_rating")
        if request.minRating > 0 && request.maxRating > 0 && request.minRating > request.maxRating {
            check.fail("max_rating", "must not be below min_rating")
        }
        if request.sentiment.protoName == nil { check.fail("sentiment", "has unknown value \(request.sentiment.rawValue)") }
        if request.category.protoName == nil { check.fail("category", "has unknown value \(request.category.rawValue)") }
        check.timestamp(request.createdAfter, "created_after")
        check.timestamp(request.createdBefore, "created_before")
        try check.validate()
        let size = try PageCursor.pageSize(request.page)
        var filters = request
        filters.page = nil
        let query = "feedback|" + (try filters.serializedBytes()).map { String($0, radix: 16) }.joined(separator: ".")
        let cursor = try PageCursor.decode(request.page, query: query)
        return try await database.read { db in
            let rows = try FeedbackStore.page(db, request, after: cursor, limit: size + 1)
            let (feedback, page) = PageCursor.page(rows, size: size, query: query) { item in
                PageCursor(key: String(item.createdAt?.epochMicros ?? 0), id: item.id)
            }
            return CustomerV1.ListFeedbackResponse(feedback: feedback, page: page)
        }
    }
}
