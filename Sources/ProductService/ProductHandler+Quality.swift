import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// After-sale statistics, the quality score and the issue classifier.
extension ProductHandler {
    public func getProductStats(_ request: ProductV1.GetProductStatsRequest, context: ServerContext) async throws -> ProductV1.ProductStats {
        var check = FieldValidator()
        check.identifier(request.productID, "product_id")
        try check.validate()
        return try await database.read { db in
            guard try CatalogueStore.product(db, id: request.productID) != nil else {
                throw RPCError.notFound("product", request.productID)
            }
            return try StatsStore.stats(db, productID: request.productID)
        }
    }

    public func recordSale(_ request: ProductV1.RecordSaleRequest, context: ServerContext) async throws -> ProductV1.ProductStats {
        var check = FieldValidator()
        Self.checkProductReference(&check, productID: request.productID, sku: request.sku)
        check.positive(request.quantity, "quantity")
        check.optionalIdentifier(request.orderLineID, "order_line_id")
        check.timestamp(request.soldAt, "sold_at")
        try check.validate()
        let now = clock.now()
        return try await database.idempotent(request, context: context, clock: clock) { db in
            let product = try Self.resolveProduct(db, productID: request.productID, sku: request.sku)
            return try StatsStore.record(db, productID: product.id, .sale(units: Int64(request.quantity)), now: now)
        }
    }

    public func recordReturnStat(_ request: ProductV1.RecordReturnStatRequest, context: ServerContext) async throws -> ProductV1.ProductStats {
        var check = FieldValidator()
        Self.checkProductReference(&check, productID: request.productID, sku: request.sku)
        check.positive(request.quantity, "quantity")
        check.known(request.reason, "reason")
        check.optionalIdentifier(request.caseLineID, "case_line_id")
        try check.validate()
        let now = clock.now()
        return try await database.idempotent(request, context: context, clock: clock) { db in
            let product = try Self.resolveProduct(db, productID: request.productID, sku: request.sku)
            return try StatsStore.record(db, productID: product.id,
                                         .returned(units: Int64(request.quantity), reason: request.reason), now: now)
        }
    }

    public func recordRating(_ request: ProductV1.RecordRatingRequest, context: ServerContext) async throws -> ProductV1.ProductStats {
        var check = FieldValidator()
        check.identifier(request.productID, "product_id")
        check.range(request.rating, 1...5, "rating")
        check.optionalIdentifier(request.feedbackID, "feedback_id")
        try check.validate()
        let now = clock.now()
        return try await database.idempotent(request, context: context, clock: clock) { db in
            let product = try Self.resolveProduct(db, productID: request.productID, sku: "")
            return try StatsStore.record(db, productID: product.id, .rating(Int64(request.rating)), now: now)
        }
    }

    public func getQualityScore(_ request: ProductV1.GetQualityScoreRequest, context: ServerContext) async throws -> ProductV1.QualityScore {
        var check = FieldValidator()
        check.identifier(request.productID, "product_id")
        try check.validate()
        return try await database.read { db in
            let product = try Self.resolveProduct(db, productID: request.productID, sku: "")
            let stats = try StatsStore.stats(db, productID: product.id)
            return QualityScorer().score(productID: product.id, product: try StatsStore.ratingTotals(db, productID: product.id),
                                         categoryID: product.categoryID,
                                         category: try StatsStore.ratingTotals(db, categoryID: product.categoryID),
                                         global: try StatsStore.ratingTotals(db, categoryID: nil),
                                         returnRateBp: stats.returnRateBp)
        }
    }

    public func classifyText(_ request: ProductV1.ClassifyTextRequest, context: ServerContext) async throws -> ProductV1.ClassifyTextResponse {
        var check = FieldValidator()
        check.text(request.text, "text", required: true)
        if !request.text.isEmpty && request.text.allSatisfy(\.isWhitespace) { check.fail("text", "is blank") }
        check.name(request.language, "language")
        if request.language.utf8.count > 35 { check.fail("language", "is not a BCP 47 tag") }
        try check.validate()
        let result = classifier.classify(request.text, languageHint: request.language)
        return ProductV1.ClassifyTextResponse(
            category: result.category, confidence: result.confidence,
            scores: result.scores.map { ProductV1.CategoryScore(category: $0.category, score: $0.score) },
            language: result.language)
    }

    public func getClassifierInfo(_ request: ProductV1.GetClassifierInfoRequest, context: ServerContext) async throws -> ProductV1.ClassifierInfo {
        let evaluation = classifier.evaluation
        return ProductV1.ClassifierInfo(method: IssueClassifier.method, version: IssueClassifier.version,
                                        trainingSize: Int64(evaluation.trainingSize),
                                        heldOutSize: Int64(evaluation.heldOutSize),
                                        heldOutAccuracy: evaluation.accuracy, languages: ["en", "zh"],
                                        trainedAt: CommonV1.Timestamp(classifier.trainedAt))
    }

    /// `product_id` or `sku` (or both) must name the product.
    static func checkProductReference(_ check: inout FieldValidator, productID: String, sku: String) {
        if productID.isEmpty && sku.isEmpty { return check.fail("product_id", "is required (or sku)") }
        check.optionalIdentifier(productID, "product_id")
        check.optionalIdentifier(sku, "sku")
    }
}
