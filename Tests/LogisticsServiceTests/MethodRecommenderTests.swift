import LogisticsService
import RPCShared
import Testing

/// RecommendMethod's algorithm on the built-in catalogue and on small catalogues built for ties.
@Suite(.serialized) struct MethodRecommenderTests {
    let catalogue = CarrierCatalogue.builtIn()

    func recommend(_ preference: LogisticsV1.ShippingPreference, from: String = "CN-GD", to: String = "CN",
                   grams: Int32 = 1_200, currency: String = "CNY",
                   methods: [LogisticsV1.ShippingMethod] = []) -> LogisticsV1.RecommendMethodResponse {
        MethodRecommender.recommend(.init(originRegion: from, destinationRegion: to, weightGrams: grams, currency: currency,
                                          preference: preference, allowedMethods: methods), catalogue: catalogue)
    }

    /// 1.2 kg inside China, priced in CNY: seven qualifying levels (see docs/services/logistics.md for the figures).
    @Test(arguments: [
        (LogisticsV1.ShippingPreference.cheapest, "cainiao-station", 700, 0.0),
        (.fastest, "sf-pickup-std", 1_400, 0.0),          // 2 days, as sim-pickup; cheaper
        (.balanced, "sf-pickup-std", 1_400, 0.175),       // 0.5 × 700/2000 + 0.5 × 0/2
        (.unspecified, "sf-pickup-std", 1_400, 0.175),    // UNSPECIFIED = BALANCED
    ])
    func eachStrategyChooses(_ preference: LogisticsV1.ShippingPreference, _ code: String, _ cost: Int64, _ score: Double) {
        let response = recommend(preference)
        #expect(response.chosen?.serviceCode == code)
        #expect(response.chosen?.cost == CommonV1.Money(currency: "CNY", minorUnits: cost))
        #expect(abs((response.chosen?.score ?? -1) - score) < 1e-9)
        #expect(response.alternatives.count == 6)
        #expect(response.explanation.contains(code))
        // Best first: scores never decrease along the alternatives.
        let scores = [response.chosen?.score ?? 0] + response.alternatives.map(\.score)
        #expect(scores == scores.sorted())
    }

    @Test func balancedRanksByTheDocumentedFormula() {
        // key = (cost − 700)·2 + (days − 2)·2000, lower first.
        let response = recommend(.balanced)
        let order = [response.chosen?.serviceCode ?? ""] + response.alternatives.map(\.serviceCode)
        #expect(order == ["sf-pickup-std", "sim-pickup", "sim-drop-off", "cainiao-pickup", "cainiao-station",
                          "sim-label", "sf-pickup-greater-bay"])
        #expect(response.chosen?.explanation == "14.00 CNY, 2 days; pickup by SF Express, score 0.175; best balance of cost and transit time of 7")
    }

    @Test func excludedOptionsSayWhy() {
        let response = recommend(.balanced, grams: 25_000)
        let reasons = Dictionary(uniqueKeysWithValues: response.excluded.map { ($0.serviceCode, $0.reason) })
        #expect(reasons["cainiao-station"] == "weight 25 kg over limit 20 kg")
        #expect(reasons["dhl-pickup-eu"] == "origin CN-GD not served; destination CN not served; priced in EUR, not CNY")
        #expect(reasons["dhl-express-intl"] == "priced in EUR, not CNY")
        #expect(reasons["yto-pickup"] == "carrier yto is inactive")
        #expect(response.chosen != nil)
        #expect(!([response.chosen!] + response.alternatives).contains { $0.serviceCode.hasPrefix("cainiao") })
        // Every level is either a quote or excluded, never both.
        let quoted = Set(([response.chosen!] + response.alternatives).map(\.serviceCode))
        #expect(quoted.isDisjoint(with: reasons.keys))
        #expect(quoted.count + reasons.count == catalogue.carriers.flatMap(\.serviceLevels).count)
    }

    @Test(arguments: [
        ("US", "US", "USD", "usps-post-office"),     // cheapest US drop-off
        ("DE", "FR", "EUR", "dhl-parcelshop-eu"),
        ("CN-GD", "HK", "CNY", "sim-drop-off"),     // SF's greater-bay pickup is dearer
    ])
    func regionsAndCurrenciesSelect(_ from: String, _ to: String, _ currency: String, _ code: String) {
        #expect(recommend(.cheapest, from: from, to: to, currency: currency).chosen?.serviceCode == code)
    }

    @Test func allowedMethodsFilter() {
        let response = recommend(.cheapest, methods: [.prepaidLabel])
        #expect(response.chosen?.serviceCode == "sim-label")
        #expect(response.alternatives.isEmpty)
        #expect(response.excluded.first { $0.serviceCode == "cainiao-station" }?.reason == "method drop-off not allowed")
    }

    @Test func nothingQualifies() {
        let response = recommend(.balanced, grams: 80_000)
        #expect(response.chosen == nil)
        #expect(response.alternatives.isEmpty)
        #expect(response.explanation.hasPrefix("No service level qualifies for a 80 kg parcel from CN-GD to CN"))
    }

    // MARK: Ties, on catalogues built for them

    static func level(_ code: String, cost: Int64, days: Int32) -> LogisticsV1.ServiceLevel {
        .init(code: code, name: code, method: .pickup, originRegions: ["*"], destinationRegions: ["*"],
              baseCost: .init(currency: "EUR", minorUnits: cost), costPerKg: .init(currency: "EUR", minorUnits: 0),
              transitDaysMin: 1, transitDaysMax: days, maxWeightGrams: 10_000)
    }

    static func carriers(_ levels: [(String, LogisticsV1.ServiceLevel)]) -> [LogisticsV1.Carrier] {
        levels.map { LogisticsV1.Carrier(id: $0.0, name: $0.0.uppercased(), serviceLevels: [$0.1], active: true) }
    }

    @Test(arguments: [
        // Same cost: CHEAPEST takes the faster.
        (LogisticsV1.ShippingPreference.cheapest, [("b", MethodRecommenderTests.level("b-1", cost: 500, days: 3)), ("a", MethodRecommenderTests.level("a-1", cost: 500, days: 4))], "b-1", "fewer transit days"),
        // Same days: FASTEST takes the cheaper.
        (.fastest, [("b", MethodRecommenderTests.level("b-1", cost: 400, days: 2)), ("a", MethodRecommenderTests.level("a-1", cost: 500, days: 2))], "b-1", "lower cost"),
        // Equal balanced score (0.5 + 0 vs 0 + 0.5): the cheaper wins.
        (.balanced, [("b", MethodRecommenderTests.level("b-1", cost: 500, days: 2)), ("a", MethodRecommenderTests.level("a-1", cost: 1000, days: 1))], "b-1", "lower cost"),
        // Identical offers: carrier id decides, whatever the catalogue order.
        (.balanced, [("b", MethodRecommenderTests.level("b-1", cost: 500, days: 2)), ("a", MethodRecommenderTests.level("a-1", cost: 500, days: 2))], "a-1", "carrier id and service code"),
    ])
    func tiesAreBrokenDeterministically(_ preference: LogisticsV1.ShippingPreference,
                                        _ levels: [(String, LogisticsV1.ServiceLevel)], _ winner: String, _ rule: String) {
        let input = MethodRecommender.Input(originRegion: "DE", destinationRegion: "DE", weightGrams: 500,
                                            currency: "EUR", preference: preference)
        for order in [levels, levels.reversed()] {
            let response = MethodRecommender.recommend(input, carriers: Self.carriers(order))
            #expect(response.chosen?.serviceCode == winner)
            #expect(response.explanation.contains("decided by \(rule)"), "\(response.explanation)")
            #expect(response.chosen?.score == response.alternatives.first?.score)
        }
    }

    @Test func scoresCompareExactlyNotInFloatingPoint() {
        // 1/3 + 2/3 style sums: three options whose balanced keys are exactly equal must tie, then go by cost.
        let levels = [("c", Self.level("c-1", cost: 300, days: 1)), ("b", Self.level("b-1", cost: 200, days: 2)),
                      ("a", Self.level("a-1", cost: 100, days: 3))]
        let input = MethodRecommender.Input(originRegion: "DE", destinationRegion: "DE", weightGrams: 1,
                                            currency: "EUR", preference: .balanced)
        let response = MethodRecommender.recommend(input, carriers: Self.carriers(levels))
        #expect(([response.chosen?.serviceCode ?? ""] + response.alternatives.map(\.serviceCode)) == ["a-1", "b-1", "c-1"])
    }

    // MARK: Cost

    @Test(arguments: [(Int32(1), Int64(0)), (1_000, 0), (1_001, 1), (2_000, 1), (2_001, 2), (31_500, 31)])
    func startedKilogramsAboveTheFirst(_ grams: Int32, _ extra: Int64) {
        #expect(ShippingCost.extraKilograms(grams) == extra)
    }

    @Test func moneyAndWeightText() {
        #expect(ShippingCost.describe(.init(currency: "CNY", minorUnits: 1_205)) == "12.05 CNY")
        #expect(ShippingCost.describe(.init(currency: "JPY", minorUnits: 1_500)) == "1500 JPY")
        #expect(ShippingCost.describeWeight(31_500) == "31.5 kg")
        #expect(ShippingCost.describeWeight(250) == "0.25 kg")
    }
}
