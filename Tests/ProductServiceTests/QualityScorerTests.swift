import Foundation
import ProductService
import RPCShared
import Testing

/// The Bayesian average and the choice of prior.
@Suite struct QualityScorerTests {
    typealias Totals = QualityScorer.RatingTotals

    @Test func fewRatingsStayNearTheCategoryPrior() {
        // Category: 40 ratings averaging 4.0; product: three 5-star ratings.
        let score = QualityScorer().score(productID: "p", product: Totals(sum: 15, count: 3), categoryID: "cat_shoes",
                                          category: Totals(sum: 160, count: 40), global: Totals(sum: 300, count: 100),
                                          returnRateBp: 1200)
        #expect(score.priorMean == 4.0 && score.priorWeight == 10 && score.observedCount == 3)
        #expect(abs(score.score - (10 * 4.0 + 3 * 5.0) / 13) < 1e-12)
        #expect(score.priorSource == "category cat_shoes (40 ratings)")
        #expect(score.returnRateBp == 1200)
        #expect(score.explanation.hasPrefix("score = (10 × 4.000 + 3 × 5.000) / (10 + 3) = 4.231"))
    }

    @Test func aThinCategoryFallsBackToTheGlobalMeanAndNothingToTheMidpoint() {
        let global = QualityScorer().score(productID: "p", product: Totals(sum: 4, count: 2), categoryID: "c",
                                           category: Totals(sum: 29 * 5, count: 29), global: Totals(sum: 350, count: 100),
                                           returnRateBp: 0)
        #expect(global.priorMean == 3.5 && global.priorSource.hasPrefix("global (100 ratings"))
        #expect(abs(global.score - (35.0 + 4) / 12) < 1e-12)
        let empty = QualityScorer().score(productID: "p", product: Totals(sum: 0, count: 0), categoryID: "c",
                                          category: Totals(sum: 0, count: 0), global: Totals(sum: 0, count: 0),
                                          returnRateBp: 0)
        #expect(empty.score == 3.0 && empty.observedMean == 0 && empty.priorSource.hasPrefix("scale midpoint"))
    }

    @Test func manyRatingsDominateThePrior() {
        let score = QualityScorer().score(productID: "p", product: Totals(sum: 2000, count: 1000), categoryID: "c",
                                          category: Totals(sum: 4500, count: 1000), global: Totals(sum: 0, count: 0),
                                          returnRateBp: 0)
        #expect(abs(score.score - 2.0) < 0.03)
    }

    @Test(arguments: [(0, 0, 0), (100, 0, 0), (3, 1, 3333), (3, 2, 6667), (200, 1, 50), (1, 1, 10_000), (20_000, 1, 1), (40_000, 1, 0)])
    func returnRateInBasisPoints(_ sold: Int64, _ returned: Int64, _ bp: Int32) {
        #expect(QualityScorer.returnRateBp(sold: sold, returned: returned) == bp)
    }
}
