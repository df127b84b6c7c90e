import Foundation
import ProductService
import RPCShared
import Testing

/// The naive-Bayes issue classifier: its tokenizer, its maths, and its measured accuracy on held-out data.
@Suite struct IssueClassifierTests {
    static let classifier = IssueClassifier(trainedAt: Date(timeIntervalSince1970: 1_780_000_000))

    @Test func tokenizerMakesCJKUnigramsAndBigramsAndLatinWords() {
        #expect(IssueTokenizer.tokens("尺码偏小") == ["尺", "尺码", "码", "码偏", "偏", "偏小", "小"])
        #expect(IssueTokenizer.tokens("The Shoes are TOO small!") == ["shoe", "too", "small"])
        #expect(IssueTokenizer.tokens("It doesn't work") == ["not_work"])
        #expect(IssueTokenizer.tokens("stopped working, batteries") == ["stopp", "work", "battery"])
        #expect(IssueTokenizer.tokens("鞋子 too big") == ["鞋", "鞋子", "子", "too", "big"])
        #expect(IssueTokenizer.tokens("...") == [])
    }

    @Test(arguments: [("尺码偏小", "zh"), ("too small", "en"), ("M码 too small for me", "en"), ("1234", "")])
    func languageDetection(_ text: String, _ language: String) {
        #expect(IssueTokenizer.detectLanguage(text) == language)
    }

    @Test func naiveBayesPosteriorsFollowTheLaplaceFormula() throws {
        // Two classes, one document each: a = [x, x], b = [y]. |V| = 2, α = 1.
        let model = NaiveBayesClassifier(labels: ["a", "b"], examples: [(["x", "x"], "a"), (["y"], "b")])
        let (scores, known) = model.posteriors(["x", "unseen"])
        #expect(known == 1)
        // P(x|a) = (2+1)/(2+2) = 0.75, P(x|b) = (0+1)/(1+2) = 1/3; equal priors.
        let expectedA = 0.75 / (0.75 + 1.0 / 3.0)
        #expect(abs(scores[0] - expectedA) < 1e-12)
        #expect(abs(scores[0] + scores[1] - 1) < 1e-12)
    }

    @Test func splitIsStratifiedAndDeterministic() {
        let again = IssueClassifier(trainedAt: Date())
        let evaluation = Self.classifier.evaluation
        #expect(evaluation.trainingSize + evaluation.heldOutSize == IssueCorpus.examples.count)
        #expect(evaluation.heldOutSize == again.evaluation.heldOutSize)
        #expect(evaluation.accuracy == again.evaluation.accuracy)
        // 80 examples per category → 16 held out of each.
        for metrics in evaluation.perCategory { #expect(metrics.support == 16, "\(metrics.category)") }
        #expect(IssueCorpus.examples.count == 9 * 80)
    }

    /// α and the confidence threshold were chosen on the training split by 5-fold cross-validation; the
    /// chosen pair must stay (within a hair) the best of the grid, or the constants need revisiting.
    @Test func chosenHyperParametersAreTheCrossValidatedBest() {
        var grid: [(alpha: Double, threshold: Double, accuracy: Double)] = []
        for alpha in [1.0, 0.3, 0.1, 0.05] {
            for threshold in [0.0, 0.3, 0.4] {
                grid.append((alpha, threshold, IssueClassifier.crossValidate(alpha: alpha, minimumConfidence: threshold)))
            }
        }
        let chosen = IssueClassifier.crossValidate(alpha: IssueClassifier.alpha, minimumConfidence: IssueClassifier.minimumConfidence)
        let best = grid.map(\.accuracy).max() ?? 0
        for entry in grid { print("cv α=\(entry.alpha) threshold=\(entry.threshold) accuracy=\(entry.accuracy)") }
        #expect(chosen >= best - 0.005)
        #expect(chosen > (grid.first { $0.alpha == 1.0 && $0.threshold == 0.0 }?.accuracy ?? 1))
    }

    @Test func classifiesTypicalTextsInBothLanguages() {
        let cases: [(String, ProductV1.IssueCategory)] = [
            ("鞋子太小了，想换大一码", .sizeFit),
            ("The jacket is too tight, I need a bigger size", .sizeFit),
            ("收到的时候箱子压坏了，杯子碎了", .damagedInTransit),
            ("The headphones stopped working after three days", .defect),
            ("发错颜色了，我买的是黑色", .wrongItem),
            ("快递太慢，晚了一个星期", .lateDelivery),
        ]
        for (text, expected) in cases {
            let result = Self.classifier.classify(text)
            #expect(result.category == expected, "\(text) → \(result.category) \(result.confidence)")
            #expect(result.confidence >= IssueClassifier.minimumConfidence && result.confidence <= 1)
            #expect(abs(result.scores.map(\.score).reduce(0, +) - 1) < 1e-9)
            #expect(result.scores.count == IssueClassifier.categories.count)
            #expect(result.scores.first?.category == expected)
        }
    }

    @Test func unknownWordsGiveUnspecifiedAndWeakEvidenceGivesOther() {
        let unknown = Self.classifier.classify("zzzq xxyq")
        #expect(unknown.category == .unspecified && unknown.confidence == 0)
        // A text whose evidence is spread thin: whatever the arg-max, a low posterior must come back as OTHER.
        let result = Self.classifier.classify("box")
        if result.confidence < IssueClassifier.minimumConfidence { #expect(result.category == .other) }
        #expect(Self.classifier.classify("尺码", languageHint: "zh-CN").language == "zh-CN")
    }

    /// The regression guard: measured 0.875 (126 of 144) on the held-out 20 % (see docs/services/product.md).
    @Test func heldOutAccuracyStaysAboveTheMeasuredFloor() {
        let evaluation = Self.classifier.evaluation
        print("held-out accuracy \(evaluation.accuracy) (arg-max \(evaluation.argmaxAccuracy)) on \(evaluation.heldOutSize)")
        for metrics in evaluation.perCategory {
            print("  \(metrics.category.protoName ?? "?") support \(metrics.support) precision \(String(format: "%.2f", metrics.precision)) recall \(String(format: "%.2f", metrics.recall))")
        }
        for confusion in evaluation.confusions.prefix(10) {
            print("  confused \(confusion.expected.protoName ?? "?") → \(confusion.predicted.protoName ?? "?") × \(confusion.count)")
        }
        #expect(evaluation.accuracy >= 0.85)
        #expect(evaluation.perCategory.allSatisfy { $0.recall >= 0.5 })
    }
}
