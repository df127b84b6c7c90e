import Foundation
import RPCShared

/// Lexicon-based sentiment of short feedback texts in English and Chinese, with negation, intensifiers and
/// "but"-clauses. Pure and deterministic.
///
/// Method:
/// 1. Tokenise: runs of ASCII letters/apostrophes are English words (lower-cased); CJK text is matched
///    greedily against the lexicons, longest entry first (so 不错 "not bad" is one positive word, not 不 + 错);
///    punctuation ends a clause.
/// 2. Each lexicon word has a valence (±1, ±2 for strong words). An intensifier before it multiplies by 1.5;
///    a negator within the three tokens before it (same clause) multiplies by −0.74 (VADER's negation scalar:
///    "not good" is milder than "bad").
/// 3. After a contrast word (but, however, 但是, 不过, 可是) the rest counts 1.5×, the part before 0.5×.
/// 4. `score = s / √(s² + 15)` (the VADER normalisation) maps the sum into (−1, 1).
/// Labels: score > 0.15 positive, < −0.15 negative, otherwise neutral (also when no word is known).
public enum SentimentAnalyzer {
    public static let positiveThreshold = 0.15
    public static let negativeThreshold = -0.15
    static let negationScalar = -0.74

    /// The text's sentiment and how many lexicon words it contained.
    public struct Result: Sendable, Hashable {
        public var score: Double
        public var label: CustomerV1.SentimentLabel
        public var matchedWords: Int
    }

    public static func analyze(_ text: String) -> Result {
        var total = 0.0
        var matched = 0
        var negationDistance = Int.max   // tokens since the last negator in this clause
        var intensify = false
        var clauseWeight = 1.0
        for token in tokenize(text) {
            switch token {
            case .boundary:
                negationDistance = .max
                intensify = false
            case .word(let word):
                if contrastWords.contains(word) {
                    total *= 0.5
                    clauseWeight = 1.5
                    negationDistance = .max
                    continue
                }
                if negators.contains(word) {
                    negationDistance = 0
                    continue
                }
                if intensifiers.contains(word) {
                    intensify = true
                    continue
                }
                if negationDistance != .max { negationDistance += 1 }
                guard let valence = lexicon[word] else {
                    intensify = false
                    continue
                }
                var value = valence
                if intensify { value *= 1.5 }
                if negationDistance <= 3 { value *= negationScalar }
                total += value * clauseWeight
                matched += 1
                intensify = false
            }
        }
        let score = total == 0 ? 0 : total / (total * total + 15).squareRoot()
        return Result(score: score, label: label(for: score), matchedWords: matched)
    }

    /// Feedback sentiment from its rating and text: the rating maps to `(rating − 3) / 2`; when the text has
    /// sentiment words, the two are averaged (the text can say more than the stars, and vice versa).
    public static func feedbackSentiment(rating: Int32, text: String) -> CustomerV1.Sentiment {
        let ratingScore = Double(min(max(rating, 1), 5) - 3) / 2
        let textResult = analyze(text)
        let score = textResult.matchedWords == 0 ? ratingScore : (ratingScore + textResult.score) / 2
        return CustomerV1.Sentiment(label: label(for: score), score: score)
    }

    public static func label(for score: Double) -> CustomerV1.SentimentLabel {
        if score > positiveThreshold { return .positive }
        if score < negativeThreshold { return .negative }
        return .neutral
    }

    enum Token: Hashable {
        case word(String)
        case boundary
    }

    static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var english = ""
        func flushEnglish() {
            guard !english.isEmpty else { return }
            // "didn't", "isn't", "can't": the contraction is a negator.
            if english.hasSuffix("n't") {
                tokens.append(.word("not"))
            } else {
                tokens.append(.word(english))
            }
            english = ""
        }
        let characters = Array(text.lowercased())
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isASCII, character.isLetter || character == "'" {
                english.append(character)
                index += 1
                continue
            }
            flushEnglish()
            if boundaryCharacters.contains(character) {
                tokens.append(.boundary)
                index += 1
                continue
            }
            if isCJK(character) {
                var length = min(maxChineseWordLength, characters.count - index)
                var matchedWord: String?
                while length > 0 {
                    let candidate = String(characters[index..<(index + length)])
                    if chineseVocabulary.contains(candidate) { matchedWord = candidate; break }
                    length -= 1
                }
                if let matchedWord {
                    tokens.append(.word(matchedWord))
                    index += matchedWord.count
                } else {
                    tokens.append(.word(String(character)))
                    index += 1
                }
                continue
            }
            index += 1   // digits, spaces, emoji: separators without meaning
        }
        flushEnglish()
        return tokens
    }

    private static func isCJK(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        return (0x4E00...0x9FFF).contains(scalar.value) || (0x3400...0x4DBF).contains(scalar.value)
    }

    static let boundaryCharacters: Set<Character> = [".", ",", "!", "?", ";", ":", "\n", "。", "，", "！", "？", "；", "：", "、"]

    static let negators: Set<String> = ["not", "no", "never", "nothing", "hardly", "without", "nor", "neither",
                                        "不", "没", "没有", "别", "未", "无", "不是", "并不", "从不", "不太"]
    static let intensifiers: Set<String> = ["very", "really", "extremely", "so", "super", "totally", "absolutely",
                                            "too", "highly", "incredibly",
                                            "非常", "很", "太", "特别", "超", "十分", "极其", "真", "真的", "相当"]
    static let contrastWords: Set<String> = ["but", "however", "although", "though", "但是", "但", "不过", "可是", "然而"]

    /// Valences: 1 ordinary, 2 strong.
    static let lexicon: [String: Double] = {
        var words: [String: Double] = [:]
        for word in ["good", "nice", "great", "fine", "happy", "satisfied", "recommend", "fast", "quick", "helpful",
                     "friendly", "comfortable", "easy", "smooth", "works", "worked", "quality", "beautiful",
                     "pleased", "like", "liked", "solid", "polite", "resolved", "thanks", "thank", "glad",
                     "好", "满意", "喜欢", "推荐", "快", "方便", "舒服", "漂亮", "好用", "耐用", "及时", "耐心",
                     "热情", "感谢", "谢谢", "顺利", "解决", "合适", "值得", "放心", "正品", "清楚", "不错",
                     "好评", "实惠", "划算"] { words[word] = 1 }
        for word in ["excellent", "perfect", "amazing", "love", "loved", "fantastic", "awesome", "wonderful",
                     "outstanding", "best", "superb", "delighted",
                     "完美", "超赞", "太棒", "很棒", "棒", "非常好", "惊喜", "五星", "好极了"] { words[word] = 2 }
        for word in ["bad", "slow", "late", "broken", "poor", "problem", "issue", "wrong", "damaged", "defective",
                     "disappointed", "disappointing", "unhappy", "annoying", "rude", "cheap", "difficult", "delay",
                     "delayed", "missing", "dirty", "faulty", "stopped", "complaint", "waste", "lost",
                     "差", "慢", "坏", "破", "破损", "问题", "失望", "错", "发错", "麻烦", "难用", "脏", "延迟",
                     "质量差", "不满", "投诉", "缺", "少件", "掉色", "起球", "贵", "敷衍", "故障"] { words[word] = -1 }
        for word in ["terrible", "awful", "horrible", "worst", "useless", "scam", "fraud", "hate", "garbage",
                     "unacceptable",
                     "垃圾", "太差", "很差", "最差", "骗子", "假货", "恶心", "差评", "气死", "坑"] { words[word] = -2 }
        return words
    }()

    /// After-sale nouns without sentiment. They are in the vocabulary so that greedy matching takes them whole:
    /// 快递 (courier) must not read as 快 (fast), and the words every after-sale comment contains (refund, return:
    /// 退款, 退货) say nothing about how the customer feels — the English lexicon leaves them out for the same reason.
    static let neutralChineseWords: Set<String> = ["快递", "快递员", "退款", "退货", "换货", "客服", "物流", "维修",
                                                   "订单", "包装", "东西", "快递费"]

    static let chineseVocabulary: Set<String> = Set(
        (Array(lexicon.keys) + Array(negators) + Array(intensifiers) + Array(contrastWords) + Array(neutralChineseWords))
            .filter { word in word.unicodeScalars.contains { $0.value >= 0x3400 } })
    static let maxChineseWordLength = chineseVocabulary.map(\.count).max() ?? 1
}
