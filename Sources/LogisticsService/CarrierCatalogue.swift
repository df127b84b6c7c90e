import Foundation
import RPCShared
import ServiceRuntime

/// The carriers LogisticsService can book and their service levels, loaded once at startup from data (the
/// built-in ``CarrierCatalogue/builtInJSON`` or a `--carriers` file in the same shape) and read-only afterwards.
///
/// Regions are ISO 3166-1 alpha-2 (`CN`) or ISO 3166-2 (`CN-GD`) codes or `*`; a service level region covers a
/// requested region when it is `*`, equal to it, or its country (`CN` covers `CN-GD`, not the other way round:
/// a level that serves one province cannot promise the whole country).
public struct CarrierCatalogue: Sendable {
    /// The carrier id of the built-in simulated carrier.
    public static let simulatorCarrierID = "simulator"

    /// Every carrier, sorted by id.
    public let carriers: [LogisticsV1.Carrier]
    private let levelsByCode: [String: (carrier: LogisticsV1.Carrier, level: LogisticsV1.ServiceLevel)]

    /// Validates `carriers` (ids and codes unique and well formed, money in ISO currencies and not negative,
    /// transit days and weight limits positive) and indexes them.
    public init(carriers: [LogisticsV1.Carrier]) throws {
        var check = FieldValidator()
        var index: [String: (carrier: LogisticsV1.Carrier, level: LogisticsV1.ServiceLevel)] = [:]
        var ids = Set<String>()
        for (c, carrier) in carriers.enumerated() {
            let path = "carriers[\(c)]"
            check.identifier(carrier.id, path + ".id")
            check.name(carrier.name, path + ".name", required: true)
            if !ids.insert(carrier.id).inserted { check.fail(path + ".id", "duplicates carrier \(carrier.id)") }
            check.count(carrier.serviceLevels, path + ".service_levels", required: true)
            for (l, level) in carrier.serviceLevels.enumerated() {
                let levelPath = path + ".service_levels[\(l)]"
                check.identifier(level.code, levelPath + ".code")
                check.name(level.name, levelPath + ".name", required: true)
                check.known(level.method, levelPath + ".method")
                check.count(level.originRegions, levelPath + ".origin_regions", required: true)
                check.count(level.destinationRegions, levelPath + ".destination_regions", required: true)
                for region in level.originRegions + level.destinationRegions where !Self.isRegion(region, wildcard: true) {
                    check.fail(levelPath, "region '\(region)' is not CC, CC-SUB or *")
                }
                check.money(level.baseCost, levelPath + ".base_cost")
                check.money(level.costPerKg, levelPath + ".cost_per_kg")
                if let base = level.baseCost, let perKg = level.costPerKg, base.currency != perKg.currency {
                    check.fail(levelPath + ".cost_per_kg.currency", "must match base_cost.currency \(base.currency)")
                }
                check.positive(level.transitDaysMin, levelPath + ".transit_days_min")
                check.require(level.transitDaysMax >= level.transitDaysMin, levelPath + ".transit_days_max",
                              "must be at least transit_days_min")
                check.positive(level.maxWeightGrams, levelPath + ".max_weight_grams")
                if index[level.code] != nil { check.fail(levelPath + ".code", "duplicates service level \(level.code)") }
                index[level.code] = (carrier, level)
            }
        }
        try check.validate()
        self.carriers = carriers.sorted { $0.id < $1.id }
        self.levelsByCode = index
    }

    /// Reads a catalogue in the JSON form of `ListCarriersResponse` (`{"carriers": [...]}`).
    public init(json: String) throws {
        try self.init(carriers: LogisticsV1.ListCarriersResponse(jsonString: json).carriers)
    }

    /// The catalogue compiled into the service.
    public static func builtIn() -> CarrierCatalogue {
        do {
            return try CarrierCatalogue(json: builtInJSON)
        } catch {
            // The built-in data is a constant checked by the tests; failing here is a programming error.
            preconditionFailure("the built-in carrier catalogue is invalid: \(error)")
        }
    }

    public func carrier(_ id: String) -> LogisticsV1.Carrier? { carriers.first { $0.id == id } }

    /// The service level with `code` and the carrier offering it.
    public func serviceLevel(_ code: String) -> (carrier: LogisticsV1.Carrier, level: LogisticsV1.ServiceLevel)? {
        levelsByCode[code]
    }

    /// `CC`, `CC-SUB` (ISO 3166-2: 1–3 letters or digits after the dash) or, when `wildcard`, `*`.
    public static func isRegion(_ text: String, wildcard: Bool = false) -> Bool {
        if text == "*" { return wildcard }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let country = parts.first, country.utf8.count == 2,
              country.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else { return false }
        if parts.count == 1 { return true }
        guard parts.count == 2, (1...3).contains(parts[1].utf8.count) else { return false }
        return parts[1].utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    /// Whether a level listing `regions` serves `region`.
    public static func covers(_ regions: [String], _ region: String) -> Bool {
        regions.contains { $0 == "*" || $0 == region || region.hasPrefix($0 + "-") }
    }

    /// Whether any of `carrier`'s levels touches `region` as origin or destination.
    public static func carrier(_ carrier: LogisticsV1.Carrier, touches region: String) -> Bool {
        carrier.serviceLevels.contains { covers($0.originRegions, region) || covers($0.destinationRegions, region) }
    }
}
