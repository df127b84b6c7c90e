import RPCShared

/// Chooses how a parcel should travel: filters every service level of the catalogue, prices the rest and ranks
/// them under a preference. Pure: no storage, no RPC.
///
/// **Filter.** A level is excluded — with every reason that applies, joined by "; " — when its carrier is
/// inactive, its method is not allowed, it does not serve the origin or the destination region, the parcel is
/// over its weight limit, or it is priced in another currency than the request (costs are compared, never
/// converted).
///
/// **Score** (lower is better), over the qualifying options with cost `c` (minor units) and transit days `d`
/// (the level's maximum):
/// - normalised cost `nc = (c − c_min) / (c_max − c_min)`, normalised time `nd = (d − d_min) / (d_max − d_min)`,
///   each 0 when all options are equal on it;
/// - CHEAPEST: `nc`; FASTEST: `nd`; BALANCED (and UNSPECIFIED): `0.5·nc + 0.5·nd`.
///
/// Ranking compares scores exactly, as integers (`BALANCED` ⇔ `(c − c_min)·Δd + (d − d_min)·Δc`, which is the
/// score times `2·Δc·Δd`), so equal scores are really equal and ties are broken deterministically: CHEAPEST by
/// transit days, FASTEST by cost, BALANCED by cost then transit days; then by carrier id and service code.
public enum MethodRecommender {
    public struct Input: Sendable {
        public var originRegion: String
        public var destinationRegion: String
        public var weightGrams: Int32
        public var currency: String
        public var preference: LogisticsV1.ShippingPreference
        /// Empty = every method.
        public var allowedMethods: Set<Int32>

        public init(originRegion: String, destinationRegion: String, weightGrams: Int32, currency: String,
                    preference: LogisticsV1.ShippingPreference, allowedMethods: [LogisticsV1.ShippingMethod] = []) {
            self.originRegion = originRegion
            self.destinationRegion = destinationRegion
            self.weightGrams = weightGrams
            self.currency = currency
            self.preference = preference
            self.allowedMethods = Set(allowedMethods.map(\.rawValue))
        }

        public init(_ request: LogisticsV1.RecommendMethodRequest) {
            self.init(originRegion: request.originRegion, destinationRegion: request.destinationRegion,
                      weightGrams: request.weightGrams, currency: request.currency, preference: request.preference,
                      allowedMethods: request.allowedMethods)
        }
    }

    /// A priced option before ranking.
    struct Candidate {
        let carrier: LogisticsV1.Carrier
        let level: LogisticsV1.ServiceLevel
        let cost: Int64
        var days: Int64 { Int64(level.transitDaysMax) }
    }

    public static func recommend(_ input: Input, catalogue: CarrierCatalogue) -> LogisticsV1.RecommendMethodResponse {
        recommend(input, carriers: catalogue.carriers)
    }

    /// Recommends among `carriers` only.
    public static func recommend(_ input: Input, carriers: [LogisticsV1.Carrier]) -> LogisticsV1.RecommendMethodResponse {
        var candidates: [Candidate] = []
        var excluded: [LogisticsV1.ExcludedOption] = []
        for carrier in carriers {
            for level in carrier.serviceLevels {
                let (price, reasons) = evaluate(level, of: carrier, input)
                if let price, reasons.isEmpty {
                    candidates.append(Candidate(carrier: carrier, level: level, cost: price.minorUnits))
                } else {
                    excluded.append(.init(carrierID: carrier.id, serviceCode: level.code,
                                          reason: reasons.joined(separator: "; ")))
                }
            }
        }
        let preference = effectivePreference(input.preference)
        var response = LogisticsV1.RecommendMethodResponse()
        response.excluded = excluded
        guard !candidates.isEmpty else {
            response.explanation = "No service level qualifies for a \(ShippingCost.describeWeight(input.weightGrams)) parcel "
                + "from \(input.originRegion) to \(input.destinationRegion) priced in \(input.currency): "
                + "\(excluded.count) excluded (see excluded for the reasons)."
            return response
        }
        let ranking = Ranking(candidates, preference: preference)
        var quotes = ranking.ordered.map { ranking.quote($0, currency: input.currency) }
        quotes[0].explanation += "; " + ranking.verdict
        response.chosen = quotes[0]
        response.alternatives = Array(quotes.dropFirst())
        response.explanation = "\(name(preference)) over \(candidates.count) qualifying option\(candidates.count == 1 ? "" : "s") "
            + "(\(ranking.formula(currency: input.currency))): chose \(ranking.ordered[0].carrier.name) "
            + "\(ranking.ordered[0].level.code), \(quotes[0].explanation)"
            + (ranking.tieNote.map { "; \($0)" } ?? "")
            + "; \(excluded.count) excluded."
        return response
    }

    /// UNSPECIFIED (and any value this server does not know) means BALANCED.
    public static func effectivePreference(_ preference: LogisticsV1.ShippingPreference) -> LogisticsV1.ShippingPreference {
        switch preference {
        case .cheapest, .fastest: preference
        default: .balanced
        }
    }

    /// The price on `level`, and why it does not qualify (empty = it does).
    static func evaluate(_ level: LogisticsV1.ServiceLevel, of carrier: LogisticsV1.Carrier,
                         _ input: Input) -> (CommonV1.Money?, [String]) {
        var reasons: [String] = []
        if !carrier.active { reasons.append("carrier \(carrier.id) is inactive") }
        if !input.allowedMethods.isEmpty && !input.allowedMethods.contains(level.method.rawValue) {
            reasons.append("method \(methodName(level.method)) not allowed")
        }
        if !CarrierCatalogue.covers(level.originRegions, input.originRegion) {
            reasons.append("origin \(input.originRegion) not served")
        }
        if !CarrierCatalogue.covers(level.destinationRegions, input.destinationRegion) {
            reasons.append("destination \(input.destinationRegion) not served")
        }
        if input.weightGrams > level.maxWeightGrams {
            reasons.append("weight \(ShippingCost.describeWeight(input.weightGrams)) over limit "
                           + ShippingCost.describeWeight(level.maxWeightGrams))
        }
        let price = ShippingCost.price(level, grams: input.weightGrams)
        if let price, price.currency != input.currency {
            reasons.append("priced in \(price.currency), not \(input.currency)")
        } else if price == nil {
            reasons.append("price cannot be computed")
        }
        return (price, reasons)
    }

    static func name(_ preference: LogisticsV1.ShippingPreference) -> String {
        switch preference {
        case .cheapest: "CHEAPEST"
        case .fastest: "FASTEST"
        default: "BALANCED"
        }
    }

    /// "pickup", "drop-off", "prepaid label".
    public static func methodName(_ method: LogisticsV1.ShippingMethod) -> String {
        switch method {
        case .pickup: "pickup"
        case .dropOff: "drop-off"
        case .prepaidLabel: "prepaid label"
        default: "unspecified"
        }
    }

    /// The candidates in rank order with the exact keys that ordered them.
    struct Ranking {
        let ordered: [Candidate]
        let preference: LogisticsV1.ShippingPreference
        let minCost: Int64, maxCost: Int64, minDays: Int64, maxDays: Int64

        init(_ candidates: [Candidate], preference: LogisticsV1.ShippingPreference) {
            let minCost = candidates.map(\.cost).min() ?? 0, maxCost = candidates.map(\.cost).max() ?? 0
            let minDays = candidates.map(\.days).min() ?? 0, maxDays = candidates.map(\.days).max() ?? 0
            let keyed = candidates.map { (key: Self.key($0, preference, minCost, maxCost, minDays, maxDays), candidate: $0) }
            self.preference = preference
            (self.minCost, self.maxCost, self.minDays, self.maxDays) = (minCost, maxCost, minDays, maxDays)
            ordered = keyed.sorted { $0.key < $1.key }.map(\.candidate)
        }

        /// The exact sort key: (score × positive constant, then the tie-breakers).
        struct Key: Comparable {
            let score: Int128, second: Int64, third: Int64, carrierID: String, code: String
            static func < (a: Key, b: Key) -> Bool {
                (a.score, a.second, a.third, a.carrierID, a.code) < (b.score, b.second, b.third, b.carrierID, b.code)
            }
        }

        static func key(_ c: Candidate, _ preference: LogisticsV1.ShippingPreference,
                        _ minCost: Int64, _ maxCost: Int64, _ minDays: Int64, _ maxDays: Int64) -> Key {
            switch preference {
            case .cheapest:
                return Key(score: Int128(c.cost), second: c.days, third: c.cost, carrierID: c.carrier.id, code: c.level.code)
            case .fastest:
                return Key(score: Int128(c.days), second: c.cost, third: c.days, carrierID: c.carrier.id, code: c.level.code)
            default:
                let costRange = max(Int128(maxCost) - Int128(minCost), 1)
                let daysRange = max(Int128(maxDays) - Int128(minDays), 1)
                let score = (Int128(c.cost) - Int128(minCost)) * daysRange + (Int128(c.days) - Int128(minDays)) * costRange
                return Key(score: score, second: c.cost, third: c.days, carrierID: c.carrier.id, code: c.level.code)
            }
        }

        func normalisedCost(_ c: Candidate) -> Double {
            maxCost == minCost ? 0 : Double(Int128(c.cost) - Int128(minCost)) / Double(Int128(maxCost) - Int128(minCost))
        }

        func normalisedDays(_ c: Candidate) -> Double {
            maxDays == minDays ? 0 : Double(c.days - minDays) / Double(maxDays - minDays)
        }

        func score(_ c: Candidate) -> Double {
            switch preference {
            case .cheapest: normalisedCost(c)
            case .fastest: normalisedDays(c)
            default: 0.5 * normalisedCost(c) + 0.5 * normalisedDays(c)
            }
        }

        func quote(_ c: Candidate, currency: String) -> LogisticsV1.ShippingQuote {
            let cost = CommonV1.Money(currency: currency, minorUnits: c.cost)
            return LogisticsV1.ShippingQuote(
                carrierID: c.carrier.id, carrierName: c.carrier.name, serviceCode: c.level.code, method: c.level.method,
                cost: cost, transitDays: c.level.transitDaysMax, score: score(c),
                explanation: "\(ShippingCost.describe(cost)), \(c.days) day\(c.days == 1 ? "" : "s"); "
                    + "\(MethodRecommender.methodName(c.level.method)) by \(c.carrier.name), score \(format(score(c)))")
        }

        /// Why the first option won, in words.
        var verdict: String {
            let method = MethodRecommender.methodName(ordered[0].level.method)
            guard ordered.count > 1 else { return "the only qualifying option" }
            switch preference {
            case .cheapest: return "cheapest \(method) option of \(ordered.count)"
            case .fastest: return "fastest \(method) option of \(ordered.count)"
            default: return "best balance of cost and transit time of \(ordered.count)"
            }
        }

        /// When the winner's score equals the runner-up's, which rule decided.
        var tieNote: String? {
            guard ordered.count > 1 else { return nil }
            let first = Self.key(ordered[0], preference, minCost, maxCost, minDays, maxDays)
            let second = Self.key(ordered[1], preference, minCost, maxCost, minDays, maxDays)
            guard first.score == second.score else { return nil }
            let rule: String
            if first.second != second.second {
                rule = preference == .cheapest ? "fewer transit days" : "lower cost"
            } else if first.third != second.third {
                rule = "fewer transit days"
            } else {
                rule = "carrier id and service code"
            }
            return "tied on score with \(ordered[1].carrier.id) \(ordered[1].level.code); decided by \(rule)"
        }

        func formula(currency: String) -> String {
            let costs = "\(ShippingCost.describe(.init(currency: currency, minorUnits: minCost)))–"
                + ShippingCost.describe(.init(currency: currency, minorUnits: maxCost))
            let days = "\(minDays)–\(maxDays) days"
            switch preference {
            case .cheapest: return "score = normalised cost over \(costs)"
            case .fastest: return "score = normalised transit time over \(days)"
            default: return "score = 0.5 × normalised cost over \(costs) + 0.5 × normalised transit time over \(days)"
            }
        }

        func format(_ value: Double) -> String {
            let thousandths = Int((value * 1000).rounded())
            let fraction = thousandths % 1000
            return "\(thousandths / 1000).\(fraction < 10 ? "00" : fraction < 100 ? "0" : "")\(fraction)"
        }
    }
}
