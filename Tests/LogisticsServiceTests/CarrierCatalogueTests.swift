import LogisticsService
import RPCShared
import Testing

/// The catalogue as data: the built-in one is valid, a broken one is refused with every problem named.
@Suite(.serialized) struct CarrierCatalogueTests {
    @Test func builtInCatalogueIsValid() throws {
        let catalogue = try CarrierCatalogue(json: CarrierCatalogue.builtInJSON)
        #expect(catalogue.carriers.map(\.id) == ["cainiao", "dhl", "sf", "simulator", "ups", "usps", "yto"])
        #expect(catalogue.serviceLevel("sf-pickup-std")?.carrier.name == "SF Express")
        let simulator = try #require(catalogue.carrier(CarrierCatalogue.simulatorCarrierID))
        #expect(Set(simulator.serviceLevels.map(\.method)) == [.pickup, .dropOff, .prepaidLabel])
    }

    @Test func brokenCatalogueIsRefused() {
        let json = #"""
        {"carriers": [
          {"id": "a", "name": "A", "active": true, "serviceLevels": [
            {"code": "x", "name": "X", "method": "SHIPPING_METHOD_PICKUP", "originRegions": ["china"], "destinationRegions": ["*"],
             "baseCost": {"currency": "EUR", "minorUnits": "100"}, "costPerKg": {"currency": "USD", "minorUnits": "10"},
             "transitDaysMin": 3, "transitDaysMax": 2, "maxWeightGrams": 0}]},
          {"id": "a", "name": "A again", "active": true, "serviceLevels": [
            {"code": "x", "name": "X", "method": "SHIPPING_METHOD_UNSPECIFIED", "originRegions": ["CN"], "destinationRegions": ["CN"],
             "baseCost": {"currency": "EUR", "minorUnits": "-1"}, "costPerKg": {"currency": "EUR", "minorUnits": "1"},
             "transitDaysMin": 1, "transitDaysMax": 2, "maxWeightGrams": 10}]}
        ]}
        """#
        let error = #expect(throws: RPCError.self) { try CarrierCatalogue(json: json) }
        let message = error?.message ?? ""
        for problem in ["region 'china'", "cost_per_kg.currency", "transit_days_max", "max_weight_grams", "duplicates carrier a",
                        "duplicates service level x", "service_levels[0].method", "base_cost.minor_units"] {
            #expect(message.contains(problem), "\(problem) in \(message)")
        }
    }

    @Test(arguments: [
        (["*"], "CN-GD", true), (["CN"], "CN-GD", true), (["CN"], "CN", true), (["CN-GD"], "CN", false),
        (["CN-GD"], "CN-GD", true), (["DE", "FR"], "FR", true), (["C"], "CN", false), (["CN"], "CNX", false),
    ])
    func regionCoverage(_ regions: [String], _ region: String, _ covered: Bool) {
        #expect(CarrierCatalogue.covers(regions, region) == covered)
    }

    @Test(arguments: [("CN", true), ("CN-GD", true), ("US-CA", true), ("GB-ENG", true), ("*", false), ("cn", false),
                      ("CHN", false), ("CN-", false), ("CN-ABCD", false), ("", false)])
    func regionSyntax(_ text: String, _ valid: Bool) {
        #expect(CarrierCatalogue.isRegion(text) == valid)
    }
}
