import Foundation
import RPCShared

/// The product quality score (docs/CONTRACT.md "Quality score"): a Bayesian average rating,
/// `score = (w × prior_mean + n × observed_mean) / (w + n)`, so a product with three 5-star ratings does not
/// outrank one with three hundred 4.8s. The prior is the category's mean rating when the category has at least
/// ``minimumCategoryRatings`` ratings, else the global mean (or the scale midpoint 3.0 before any rating).
/// Return rate is reported next to the score, never mixed into it. Pure.
public struct QualityScorer: Sendable {
    public static let minimumCategoryRatings: Int64 = 30
    public static let defaultPriorWeight = 10.0
    public static let scaleMidpoint = 3.0

    /// Sum and count of ratings of some population.
    public struct RatingTotals: Sendable, Equatable {
        public var sum: Int64
        public var count: Int64
        public init(sum: Int64, count: Int64) {
            self.sum = sum
            self.count = count
        }
        public var mean: Double { count == 0 ? 0 : Double(sum) / Double(count) }
    }

    public var priorWeight: Double

    public init(priorWeight: Double = QualityScorer.defaultPriorWeight) { self.priorWeight = priorWeight }

    public func score(productID: String, product: RatingTotals, categoryID: String, category: RatingTotals,
                      global: RatingTotals, returnRateBp: Int32) -> ProductV1.QualityScore {
        let priorMean: Double
        let priorSource: String
        if category.count >= Self.minimumCategoryRatings {
            priorMean = category.mean
            priorSource = "category \(categoryID) (\(category.count) ratings)"
        } else if global.count > 0 {
            priorMean = global.mean
            priorSource = "global (\(global.count) ratings; category \(categoryID) has \(category.count) < \(Self.minimumCategoryRatings))"
        } else {
            priorMean = Self.scaleMidpoint
            priorSource = "scale midpoint (no ratings yet)"
        }
        let n = Double(product.count)
        let observed = product.mean
        let score = (priorWeight * priorMean + n * observed) / (priorWeight + n)
        let explanation = String(format: "score = (%g × %.3f + %lld × %.3f) / (%g + %lld) = %.3f",
                                 priorWeight, priorMean, product.count, observed, priorWeight, product.count, score)
            + "; prior from \(priorSource)"
        return ProductV1.QualityScore(productID: productID, priorMean: priorMean, priorWeight: priorWeight,
                                      priorSource: priorSource, observedMean: observed, observedCount: product.count,
                                      score: score, returnRateBp: returnRateBp, explanation: explanation)
    }

    /// units_returned / units_sold in basis points, rounded half up; 0 before any sale.
    public static func returnRateBp(sold: Int64, returned: Int64) -> Int32 {
        guard sold > 0 else { return 0 }
        let (product, overflow) = returned.multipliedReportingOverflow(by: 10_000)
        let value = overflow ? Double(returned) * 10_000 / Double(sold) : Double(product) / Double(sold)
        return Int32(clamping: Int64(value.rounded(.toNearestOrAwayFromZero)))
    }
}
