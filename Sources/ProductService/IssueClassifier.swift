import Foundation
import RPCShared

/// Classifies return-reason and feedback text into an ``ProductV1/IssueCategory`` with naive Bayes trained on
/// ``IssueCorpus``. At construction it splits the corpus deterministically (80/20, stratified by category, by a
/// fixed FNV-1a hash of each text), trains on the 80 % and measures itself on the held-out 20 %; the figures are
/// what `GetClassifierInfo` reports and what the tests hold it to.
public struct IssueClassifier: Sendable {
    public static let method = "multinomial naive Bayes (additive smoothing α=0.1); CJK character unigrams+bigrams, lower-cased stemmed Latin words, stop words removed, negation folded"
    public static let version = "issue-nb-2"
    /// The smoothing pseudo-count, chosen by 5-fold cross-validation on the training split (see
    /// ``crossValidate(_:alpha:minimumConfidence:folds:)``): 1 (Laplace) over-smooths ~40 short texts per class.
    public static let alpha = 0.1
    /// Below this posterior the best guess is not trusted: the answer is OTHER (chosen by the same
    /// cross-validation).
    public static let minimumConfidence = 0.30
    /// The categories the corpus teaches, in enum order.
    public static let categories: [ProductV1.IssueCategory] = [
        .sizeFit, .defect, .damagedInTransit, .notAsDescribed, .wrongItem, .lateDelivery, .changedMind, .quality, .other,
    ]

    /// What one classification says.
    public struct Result: Sendable {
        public var category: ProductV1.IssueCategory
        public var confidence: Double
        /// Every category with its posterior, best first.
        public var scores: [(category: ProductV1.IssueCategory, score: Double)]
        public var language: String
    }

    /// Held-out figures per category.
    public struct CategoryMetrics: Sendable {
        public var category: ProductV1.IssueCategory
        public var support: Int
        public var precision: Double
        public var recall: Double
    }

    /// How the classifier did on the held-out split.
    public struct Evaluation: Sendable {
        public var trainingSize: Int
        public var heldOutSize: Int
        public var accuracy: Double
        /// Accuracy of the bare arg-max, before low-confidence answers become OTHER.
        public var argmaxAccuracy: Double
        public var perCategory: [CategoryMetrics]
        /// (expected, predicted, count) for every mistake, most frequent first.
        public var confusions: [(expected: ProductV1.IssueCategory, predicted: ProductV1.IssueCategory, count: Int)]
    }

    let model: NaiveBayesClassifier<ProductV1.IssueCategory>
    public let evaluation: Evaluation
    public let trainedAt: Date

    /// Trains on the shipped corpus (`heldOutEvery` = 5 keeps one example in five out of training).
    public init(examples: [(category: String, text: String)] = IssueCorpus.examples, heldOutEvery: Int = 5,
                trainedAt: Date = Date()) {
        let split = Self.split(examples, heldOutEvery: heldOutEvery)
        model = Self.train(split.training, alpha: Self.alpha)
        self.trainedAt = trainedAt
        evaluation = Self.evaluate(model, trainingSize: split.training.count, heldOut: split.heldOut)
    }

    /// The category of `text`; `languageHint` is echoed when given, else the language is detected.
    public func classify(_ text: String, languageHint: String = "") -> Result {
        Self.classify(model, text, languageHint: languageHint)
    }

    static func train(_ examples: [(category: ProductV1.IssueCategory, text: String)], alpha: Double)
        -> NaiveBayesClassifier<ProductV1.IssueCategory> {
        NaiveBayesClassifier(labels: categories, examples: examples.map { (IssueTokenizer.tokens($0.text), $0.category) },
                             alpha: alpha)
    }

    /// k-fold cross-validated accuracy of (α, confidence threshold) on the training split only — how the two
    /// hyper-parameters were chosen without looking at the held-out set.
    public static func crossValidate(_ examples: [(category: String, text: String)] = IssueCorpus.examples,
                                     alpha: Double, minimumConfidence: Double, folds: Int = 5) -> Double {
        let training = split(examples, heldOutEvery: 5).training
        guard folds > 1, !training.isEmpty else { return 0 }
        var correct = 0
        for fold in 0..<folds {
            let part = training.enumerated()
            let model = train(part.filter { $0.offset % folds != fold }.map(\.element), alpha: alpha)
            for example in part.filter({ $0.offset % folds == fold }).map(\.element)
            where classify(model, example.text, minimumConfidence: minimumConfidence).category == example.category {
                correct += 1
            }
        }
        return Double(correct) / Double(training.count)
    }

    static func classify(_ model: NaiveBayesClassifier<ProductV1.IssueCategory>, _ text: String,
                         languageHint: String = "", minimumConfidence: Double = IssueClassifier.minimumConfidence) -> Result {
        let language = languageHint.isEmpty ? IssueTokenizer.detectLanguage(text) : languageHint
        let (posteriors, known) = model.posteriors(IssueTokenizer.tokens(text))
        let scores = zip(model.labels, posteriors).map { (category: $0, score: $1) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.category.rawValue < $1.category.rawValue }
        // Nothing the model has seen: the posterior is just the prior, which says nothing about this text.
        guard known > 0, let best = scores.first else {
            return Result(category: .unspecified, confidence: 0, scores: scores, language: language)
        }
        let category = best.score >= minimumConfidence ? best.category : .other
        return Result(category: category, confidence: best.score, scores: scores, language: language)
    }

    /// Stratified, deterministic: within each category, examples sorted by the hash of their text; every
    /// `heldOutEvery`-th one is held out.
    static func split(_ examples: [(category: String, text: String)], heldOutEvery: Int)
        -> (training: [(category: ProductV1.IssueCategory, text: String)], heldOut: [(category: ProductV1.IssueCategory, text: String)]) {
        var byCategory: [Int32: [(category: ProductV1.IssueCategory, text: String)]] = [:]
        for example in examples {
            guard let category = ProductV1.IssueCategory(protoName: "ISSUE_CATEGORY_" + example.category),
                  category != .unspecified else { continue }
            byCategory[category.rawValue, default: []].append((category, example.text))
        }
        var training: [(category: ProductV1.IssueCategory, text: String)] = []
        var heldOut: [(category: ProductV1.IssueCategory, text: String)] = []
        for key in byCategory.keys.sorted() {
            let sorted = (byCategory[key] ?? []).sorted { (fnv1a($0.text), $0.text) < (fnv1a($1.text), $1.text) }
            for (index, example) in sorted.enumerated() {
                if heldOutEvery > 0 && index % heldOutEvery == 0 { heldOut.append(example) } else { training.append(example) }
            }
        }
        return (training, heldOut)
    }

    static func evaluate(_ model: NaiveBayesClassifier<ProductV1.IssueCategory>, trainingSize: Int,
                         heldOut: [(category: ProductV1.IssueCategory, text: String)]) -> Evaluation {
        var correct = 0, argmaxCorrect = 0
        var pairs: [Int32: [Int32: Int]] = [:]
        for example in heldOut {
            let result = classify(model, example.text)
            let predicted = result.category
            if predicted == example.category { correct += 1 }
            if result.scores.first?.category == example.category { argmaxCorrect += 1 }
            pairs[example.category.rawValue, default: [:]][predicted.rawValue, default: 0] += 1
        }
        var perCategory: [CategoryMetrics] = []
        for category in categories {
            let raw = category.rawValue
            let truePositive = pairs[raw]?[raw] ?? 0
            let support = pairs[raw]?.values.reduce(0, +) ?? 0
            let predictedCount = pairs.values.reduce(0) { $0 + ($1[raw] ?? 0) }
            perCategory.append(CategoryMetrics(
                category: category, support: support,
                precision: predictedCount == 0 ? 0 : Double(truePositive) / Double(predictedCount),
                recall: support == 0 ? 0 : Double(truePositive) / Double(support)))
        }
        var confusions: [(expected: ProductV1.IssueCategory, predicted: ProductV1.IssueCategory, count: Int)] = []
        for (expected, row) in pairs {
            for (predicted, count) in row where predicted != expected {
                confusions.append((ProductV1.IssueCategory(rawValue: expected), ProductV1.IssueCategory(rawValue: predicted), count))
            }
        }
        confusions.sort { ($1.count, $0.expected.rawValue, $0.predicted.rawValue) < ($0.count, $1.expected.rawValue, $1.predicted.rawValue) }
        return Evaluation(trainingSize: trainingSize, heldOutSize: heldOut.count,
                          accuracy: heldOut.isEmpty ? 0 : Double(correct) / Double(heldOut.count),
                          argmaxAccuracy: heldOut.isEmpty ? 0 : Double(argmaxCorrect) / Double(heldOut.count),
                          perCategory: perCategory, confusions: confusions)
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
