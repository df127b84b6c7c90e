import Foundation

/// Multinomial naive Bayes with Laplace (add-α) smoothing over token counts:
/// `log P(c | d) ∝ log P(c) + Σ_t n(t, d) · log((n(t, c) + α) / (N(c) + α·|V|))`,
/// normalised into posteriors with log-sum-exp. Generic over the label so it is testable on its own.
public struct NaiveBayesClassifier<Label: Hashable & Sendable>: Sendable {
    public let labels: [Label]
    public let alpha: Double
    private let logPrior: [Double]
    private let tokenCounts: [[String: Int]]
    private let totalTokens: [Int]
    public let vocabulary: Set<String>

    /// Trains on `(tokens, label)` examples; `labels` fixes the order of the posterior vector.
    public init(labels: [Label], examples: [(tokens: [String], label: Label)], alpha: Double = 1) {
        self.labels = labels
        self.alpha = alpha
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var documents = [Int](repeating: 0, count: labels.count)
        var counts = [[String: Int]](repeating: [:], count: labels.count)
        var totals = [Int](repeating: 0, count: labels.count)
        var vocabulary = Set<String>()
        for example in examples {
            guard let slot = index[example.label] else { continue }
            documents[slot] += 1
            for token in example.tokens {
                counts[slot][token, default: 0] += 1
                totals[slot] += 1
                vocabulary.insert(token)
            }
        }
        let documentCount = Double(max(1, documents.reduce(0, +)))
        // Add-one on the class prior too, so a label without examples keeps a finite (tiny) prior.
        logPrior = documents.map { log((Double($0) + 1) / (documentCount + Double(labels.count))) }
        tokenCounts = counts
        totalTokens = totals
        self.vocabulary = vocabulary
    }

    /// Posterior probabilities per label (same order as `labels`), summing to 1; tokens never seen in training
    /// are ignored (they would shift every class equally). Also how many tokens were known.
    public func posteriors(_ tokens: [String]) -> (scores: [Double], knownTokens: Int) {
        let known = tokens.filter(vocabulary.contains)
        let size = Double(vocabulary.count)
        var logScores = logPrior
        for slot in labels.indices {
            let denominator = log(Double(totalTokens[slot]) + alpha * size)
            for token in known {
                logScores[slot] += log(Double(tokenCounts[slot][token] ?? 0) + alpha) - denominator
            }
        }
        let top = logScores.max() ?? 0
        let exponentials = logScores.map { exp($0 - top) }
        let sum = exponentials.reduce(0, +)
        return (exponentials.map { $0 / sum }, known.count)
    }
}
