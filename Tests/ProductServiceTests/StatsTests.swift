import AfterSaleTestSupport
import Foundation
import ProductService
import RPCShared
import ServiceRuntime
import Testing

/// Sales, returns, ratings and the quality score over a real socket; classification RPCs.
@Suite struct StatsTests {
    @Test func salesReturnsAndRatingsAddUpAndTheScoreUsesTheRightPrior() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        try await fixture.basicCatalogue()
        let client = fixture.client
        _ = try await client.recordSale(.init(productID: "prod_shoe", quantity: 40, orderLineID: "ol_1"), options: .mutating(key: "sale:ol_1"))
        _ = try await client.recordSale(.init(sku: "RUN-43", quantity: 10, orderLineID: "ol_2"), options: .mutating(key: "sale:ol_2"))
        _ = try await client.recordReturnStat(.init(productID: "prod_shoe", quantity: 3, reason: .sizeFit, caseLineID: "cl_1"),
                                              options: .mutating())
        _ = try await client.recordReturnStat(.init(sku: "RUN-42", quantity: 1, reason: .defective, caseLineID: "cl_2"),
                                              options: .mutating())
        var stats = try await client.recordReturnStat(.init(productID: "prod_shoe", quantity: 1, reason: .sizeFit), options: .mutating())
        #expect(stats.unitsSold == 50 && stats.unitsReturned == 5 && stats.returnRateBp == 1000)
        #expect(stats.topReasons == [.init(reason: .sizeFit, units: 4), .init(reason: .defective, units: 1)])
        for rating: Int32 in [5, 5, 4] {
            stats = try await client.recordRating(.init(productID: "prod_shoe", rating: rating), options: .mutating())
        }
        #expect(stats.ratingCount == 3 && abs(stats.averageRating - 14.0 / 3) < 1e-12)
        #expect(try await client.getProductStats(.init(productID: "prod_shoe")) == stats)

        // Only this product has ratings: category (3 < 30) falls back to the global mean, which is its own mean.
        var score = try await client.getQualityScore(.init(productID: "prod_shoe"))
        #expect(score.priorSource.hasPrefix("global (3 ratings") && abs(score.score - 14.0 / 3) < 1e-9)
        #expect(score.returnRateBp == 1000 && score.priorWeight == 10)

        // A second product in the category with 30 ratings of 3 makes the category the prior.
        var other = ProductFixture.shoe
        other.id = "prod_other"
        other.variants = [.init(sku: "OTHER-1", price: .init(currency: "EUR", minorUnits: 100), active: true)]
        _ = try await client.upsertProduct(.init(product: other), options: .mutating())
        for _ in 0..<30 { _ = try await client.recordRating(.init(productID: "prod_other", rating: 3), options: .mutating()) }
        score = try await client.getQualityScore(.init(productID: "prod_shoe"))
        let categoryMean = (14.0 + 90.0) / 33
        #expect(score.priorSource == "category cat_shoes (33 ratings)")
        #expect(abs(score.priorMean - categoryMean) < 1e-12)
        #expect(abs(score.score - (10 * categoryMean + 14) / 13) < 1e-12)
        #expect(score.explanation.contains("(10 + 3)"))
    }

    @Test func topReasonsAreTheFiveMostFrequentMostFirst() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        try await fixture.basicCatalogue()
        let counts: [(OrderV1.ReasonCode, Int32)] = [(.other, 1), (.sizeFit, 6), (.defective, 2), (.wrongItem, 5),
                                                     (.lateDelivery, 3), (.changedMind, 4)]
        var stats = ProductV1.ProductStats()
        for (reason, units) in counts {
            stats = try await fixture.client.recordReturnStat(.init(productID: "prod_shoe", quantity: units, reason: reason),
                                                              options: .mutating())
        }
        #expect(stats.topReasons.map(\.reason) == [.sizeFit, .wrongItem, .changedMind, .lateDelivery, .defective])
        #expect(stats.topReasons.map(\.units) == [6, 5, 4, 3, 2] && stats.unitsReturned == 21)
        // Returns without sales: a rate is not defined, reported as 0.
        #expect(stats.returnRateBp == 0)
    }

    @Test func statsOfAProductWithoutActivityAreZeroAndUnknownProductsAreNotFound() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        try await fixture.basicCatalogue()
        let stats = try await fixture.client.getProductStats(.init(productID: "prod_shoe"))
        #expect(stats.unitsSold == 0 && stats.returnRateBp == 0 && stats.topReasons.isEmpty)
        let score = try await fixture.client.getQualityScore(.init(productID: "prod_shoe"))
        #expect(score.score == 3.0 && score.observedCount == 0)
        await expectRPCError(.notFound, reason: "NOT_FOUND") { _ = try await fixture.client.getProductStats(.init(productID: "prod_x")) }
        await expectRPCError(.notFound) { _ = try await fixture.client.getQualityScore(.init(productID: "prod_x")) }
        await expectRPCError(.notFound) {
            _ = try await fixture.client.recordSale(.init(productID: "prod_x", quantity: 1), options: .mutating())
        }
        await expectRPCError(.invalidArgument, field: "sku") {
            _ = try await fixture.client.recordSale(.init(productID: "prod_x", sku: "RUN-42", quantity: 1), options: .mutating())
        }
    }

    @Test func classifyAndClassifierInfoOverTheWire() async throws {
        let fixture = try await ProductFixture.start()
        defer { Task { await fixture.remove() } }
        let result = try await fixture.client.classifyText(.init(text: "收到的时候屏幕已经碎了，快递箱也压坏了"))
        #expect(result.category == .damagedInTransit && result.language == "zh")
        #expect(result.scores.count == 9 && result.scores.first?.category == .damagedInTransit)
        #expect(result.confidence == result.scores.first?.score)
        let english = try await fixture.client.classifyText(.init(text: "Ordered size M but the jacket is far too tight", language: "en"))
        #expect(english.category == .sizeFit && english.language == "en")
        let info = try await fixture.client.getClassifierInfo(.init())
        #expect(info.trainingSize == 576 && info.heldOutSize == 144 && info.heldOutAccuracy >= 0.85)
        #expect(info.languages == ["en", "zh"] && info.method.contains("naive Bayes") && info.version == IssueClassifier.version)
    }
}
