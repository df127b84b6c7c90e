@testable import CustomerService
import RPCShared
import Testing

@Suite struct SentimentAnalyzerTests {
    typealias Label = CustomerV1.SentimentLabel

    @Test(arguments: [
        ("The refund was fast and the agent was helpful.", Label.positive),
        ("not good at all", .negative),
        ("not bad", .positive),
        ("The jacket is not very comfortable", .negative),
        ("I didn't like the colour", .negative),
        ("质量很好，很满意", .positive),
        ("不好用", .negative),
        ("还不错", .positive),
        ("没问题", .positive),
        ("东西不太好", .negative),
        ("The package arrived.", .neutral),
        ("已收到", .neutral),
        ("", .neutral),
    ])
    func negationIntensifiersAndBothLanguages(_ text: String, _ label: Label) {
        #expect(SentimentAnalyzer.analyze(text).label == label, "\(text): \(SentimentAnalyzer.analyze(text))")
    }

    @Test func theClauseAfterButWeighsMore() {
        let mixed = SentimentAnalyzer.analyze("The shoes look nice but they broke after a week and support was useless")
        #expect(mixed.label == .negative)
        let chinese = SentimentAnalyzer.analyze("物流有点慢，但是客服很耐心，问题解决了")
        #expect(chinese.label == .positive)
    }

    @Test func intensifiersStrengthen() {
        #expect(SentimentAnalyzer.analyze("very good").score > SentimentAnalyzer.analyze("good").score)
        #expect(SentimentAnalyzer.analyze("非常差").score < SentimentAnalyzer.analyze("差").score)
    }

    @Test func scoresStayWithinMinusOneAndOne() {
        let gushing = String(repeating: "excellent perfect amazing love ", count: 200)
        let furious = String(repeating: "垃圾 骗子 差评 terrible ", count: 200)
        #expect((0.99..<1).contains(SentimentAnalyzer.analyze(gushing).score))
        #expect((-1 ..< -0.99).contains(SentimentAnalyzer.analyze(furious).score))
    }

    @Test(arguments: [
        (Int32(5), "", Label.positive, 1.0),
        (1, "", .negative, -1.0),
        (3, "", .neutral, 0.0),
        (4, "", .positive, 0.5),
    ])
    func withoutSentimentWordsTheRatingDecides(_ rating: Int32, _ text: String, _ label: Label, _ score: Double) {
        let sentiment = SentimentAnalyzer.feedbackSentiment(rating: rating, text: text)
        #expect(sentiment.label == label)
        #expect(sentiment.score == score)
    }

    @Test func textAndRatingAreAveraged() {
        // 3 stars is neutral by itself; the complaint makes it negative.
        let sentiment = SentimentAnalyzer.feedbackSentiment(rating: 3, text: "terrible, the box was damaged")
        #expect(sentiment.label == .negative)
        #expect(sentiment.score > -1 && sentiment.score < 0)
        // 5 stars with a lukewarm "ok" stays positive.
        #expect(SentimentAnalyzer.feedbackSentiment(rating: 5, text: "it is ok").label == .positive)
    }

    /// The small labelled set docs/services/customer.md reports accuracy on: short after-sale comments written
    /// for this test (not drawn from the lexicon), half English, half Chinese, including hard cases (sarcasm,
    /// domain words, mixed clauses) that a lexicon is expected to miss.
    static let labelled: [(String, Label)] = [
        ("Refund arrived within two days, great service", .positive),
        ("The replacement works perfectly, thank you", .positive),
        ("Really happy with how quickly the return was handled", .positive),
        ("Easy return process and friendly support", .positive),
        ("The exchange size fits well now, I love it", .positive),
        ("Courier picked up on time, smooth experience", .positive),
        ("Excellent quality, would buy again", .positive),
        ("Support resolved my issue without any hassle", .positive),
        ("The item arrived broken and nobody answers my emails", .negative),
        ("Still waiting for my refund after three weeks", .negative),
        ("Wrong colour sent, very disappointed", .negative),
        ("Terrible packaging, the screen was cracked", .negative),
        ("The repair did not fix anything, it stopped working again", .negative),
        ("Customer service was rude and unhelpful", .negative),
        ("Oh great, another late delivery", .negative),
        ("Missing parts and the manual is useless", .negative),
        ("I returned the shoes", .neutral),
        ("Order number is in the attachment", .neutral),
        ("Parcel was handed to the courier on Monday", .neutral),
        ("The colour is slightly darker than in the photo", .neutral),
        ("Please send the label to my other address", .neutral),
        ("Received the exchange today", .neutral),
        ("Size 42 instead of 43", .neutral),
        ("It is ok, nothing special", .neutral),
        ("退款很快，客服态度非常好", .positive),
        ("换货以后尺码合适了，很满意", .positive),
        ("质量不错，物流也快", .positive),
        ("维修后用得很顺利，谢谢", .positive),
        ("客服很耐心，问题很快解决了", .positive),
        ("包装完好，推荐购买", .positive),
        ("五星好评，下次还来", .positive),
        ("收到的东西和描述一样，放心", .positive),
        ("收到就是坏的，太失望了", .negative),
        ("退款等了半个月还没到账", .negative),
        ("发错货了，颜色不对", .negative),
        ("客服态度敷衍，一直不解决", .negative),
        ("质量太差，穿了一次就起球", .negative),
        ("包装破损，屏幕有划痕", .negative),
        ("垃圾产品，再也不买了", .negative),
        ("快递员不上门取件，很麻烦", .negative),
        ("已经寄回了", .neutral),
        ("请问退货地址是哪里", .neutral),
        ("订单号在图片里", .neutral),
        ("颜色比图片深一点", .neutral),
        ("明天上午在家", .neutral),
        ("换成大一号", .neutral),
        ("收到了换货", .neutral),
        ("一般般吧", .neutral),
    ]

    static func accuracy() -> (correct: Int, total: Int, english: Double, chinese: Double) {
        let hits = labelled.map { SentimentAnalyzer.analyze($0.0).label == $0.1 }
        let english = hits.prefix(24).filter { $0 }.count, chinese = hits.suffix(24).filter { $0 }.count
        return (english + chinese, labelled.count, Double(english) / 24, Double(chinese) / 24)
    }

    @Test func accuracyOnTheLabelledSet() {
        let result = Self.accuracy()
        let misses = Self.labelled.filter { SentimentAnalyzer.analyze($0.0).label != $0.1 }
            .map { "\($0.0) → \(SentimentAnalyzer.analyze($0.0).label) (want \($0.1))" }
        print("sentiment accuracy \(result.correct)/\(result.total); EN \(result.english), ZH \(result.chinese); misses: \(misses)")
        #expect(Double(result.correct) / Double(result.total) >= 0.8, "\(misses)")
    }
}
