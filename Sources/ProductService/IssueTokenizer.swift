import Foundation

/// Turns feedback or return-reason text into naive-Bayes features, in Chinese or English (or both mixed):
/// runs of CJK ideographs become character unigrams and bigrams (Chinese has no spaces, and bigrams catch
/// words such as 尺码, 破损, 发错), Latin text becomes lower-cased words with a small stop-word list removed, and
/// a negation ("not", "doesn't", "no", 不, 没) is folded into the next word (`not_work`), which is what separates
/// "doesn't fit" from "fits" for a bag of words.
public enum IssueTokenizer {
    static let stopWords: Set<String> = [
        "a", "an", "the", "and", "or", "but", "i", "me", "my", "we", "our", "you", "your", "it", "its", "it's",
        "this", "that", "these", "those", "is", "are", "was", "were", "be", "been", "am", "to", "of", "in", "on",
        "at", "for", "with", "as", "by", "from", "so", "very", "just", "also", "have", "has", "had", "do", "did",
        "they", "them", "he", "she", "his", "her", "there", "what", "which", "when", "after", "then", "than",
        "would", "could", "will", "can", "all", "some", "one", "item", "product", "order", "please", "really",
    ]
    static let negations: Set<String> = ["not", "no", "never", "don't", "doesn't", "didn't", "isn't", "wasn't",
                                         "won't", "can't", "cannot", "aren't", "weren't", "dont", "doesnt", "didnt",
                                         "isnt", "wasnt", "cant"]
    /// CJK stop characters: particles that carry no topic.
    static let cjkStop: Set<Character> = ["的", "了", "吗", "呢", "吧", "啊", "呀", "是", "我", "你", "这", "那", "就", "也", "都", "很"]

    /// The features of `text`.
    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var word = ""
        var cjkRun: [Character] = []
        var negate = false

        func flushWord() {
            guard !word.isEmpty else { return }
            defer { word = "" }
            if negations.contains(word) { negate = true; return }
            if stopWords.contains(word) || word.count < 2 && !word.allSatisfy(\.isNumber) { return }
            let stem = stem(word)
            tokens.append(negate ? "not_" + stem : stem)
            negate = false
        }
        func flushCJK() {
            guard !cjkRun.isEmpty else { return }
            defer { cjkRun = [] }
            for (index, character) in cjkRun.enumerated() {
                if !cjkStop.contains(character) { tokens.append(String(character)) }
                if index + 1 < cjkRun.count { tokens.append(String(character) + String(cjkRun[index + 1])) }
            }
        }

        for character in text.lowercased() {
            if isCJK(character) {
                flushWord()
                cjkRun.append(character)
            } else if character.isLetter || character.isNumber || character == "'" || character == "’" {
                flushCJK()
                word.append(character == "’" ? "'" : character)
            } else {
                flushWord()
                flushCJK()
                if character != " " { negate = false }   // punctuation ends a negation's reach
            }
        }
        flushWord()
        flushCJK()
        return tokens
    }

    /// A light English suffix stripper (works/worked/working → work, pictures → picture, batteries → battery):
    /// with ~40 examples per category, folding inflections matters more than the odd wrong cut.
    static func stem(_ word: String) -> String {
        guard word.allSatisfy({ $0.isASCII && $0.isLetter }) else { return word }
        if word.count > 4 && word.hasSuffix("ies") { return String(word.dropLast(3)) + "y" }
        if word.count > 5 && word.hasSuffix("ing") { return String(word.dropLast(3)) }
        if word.count > 4 && word.hasSuffix("ed") { return String(word.dropLast(2)) }
        if word.count > 3 && word.hasSuffix("s") && !word.hasSuffix("ss") && !word.hasSuffix("us") { return String(word.dropLast()) }
        return word
    }

    /// "zh" when the text has CJK ideographs and more of them than Latin letters, "en" when it has Latin letters,
    /// empty when it has neither.
    public static func detectLanguage(_ text: String) -> String {
        var cjk = 0, latin = 0
        for character in text {
            if isCJK(character) { cjk += 1 } else if character.isASCII && character.isLetter { latin += 1 }
        }
        if cjk == 0 && latin == 0 { return "" }
        return cjk * 3 >= latin ? (cjk > 0 ? "zh" : "en") : "en"
    }

    static func isCJK(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x20000...0x2A6DF: return true
        default: return false
        }
    }
}
