import RPCShared
import ServiceRuntime

extension LogisticsHandler {
    /// The carrier, service level and price for a CreateShipment request: the named service level (checked
    /// against the parcel), or else the BALANCED recommendation (among the named carrier's levels, if one is
    /// named, and of the named method, if one is).
    ///
    /// CreateShipment carries no currency, so when it must recommend it compares prices in the origin country's
    /// currency if some qualifying level is priced in it, else in the only currency the qualifying levels share;
    /// when they are priced in several, the caller must choose (INVALID_ARGUMENT on `service_code`).
    func choose(_ request: LogisticsV1.CreateShipmentRequest) throws
        -> (LogisticsV1.Carrier, LogisticsV1.ServiceLevel, CommonV1.Money) {
        let origin = Self.coverageRegion(request.origin)
        let destination = Self.coverageRegion(request.destination)
        let methods = request.method == .unspecified ? [] : [request.method]
        if !request.serviceCode.isEmpty {
            guard let (carrier, level) = catalogue.serviceLevel(request.serviceCode) else {
                throw RPCError.notFound("service_level", request.serviceCode)
            }
            var check = FieldValidator()
            if !request.carrierID.isEmpty && request.carrierID != carrier.id {
                check.fail("carrier_id", "does not offer service level \(level.code) (\(carrier.id) does)")
            }
            if request.method != .unspecified && request.method != level.method {
                check.fail("method", "service level \(level.code) is \(MethodRecommender.methodName(level.method))")
            }
            try check.validate()
            try Self.requireActive(carrier)
            let input = MethodRecommender.Input(originRegion: origin, destinationRegion: destination,
                                                weightGrams: request.weightGrams,
                                                currency: level.baseCost?.currency ?? "", preference: .balanced)
            let (price, reasons) = MethodRecommender.evaluate(level, of: carrier, input)
            guard let price, reasons.isEmpty else {
                throw RPCError.invalidArgument("service_code", "\(level.code) cannot carry this parcel: \(reasons.joined(separator: "; "))")
            }
            return (carrier, level, price)
        }
        var carriers = catalogue.carriers
        if !request.carrierID.isEmpty {
            guard let carrier = catalogue.carrier(request.carrierID) else { throw RPCError.notFound("carrier", request.carrierID) }
            try Self.requireActive(carrier)
            carriers = [carrier]
        }
        var probe = MethodRecommender.Input(originRegion: origin, destinationRegion: destination,
                                            weightGrams: request.weightGrams, currency: "", preference: .balanced,
                                            allowedMethods: methods)
        var currencies = Set<String>()
        for carrier in carriers {
            for level in carrier.serviceLevels {
                probe.currency = level.baseCost?.currency ?? ""
                if case (.some, let reasons) = MethodRecommender.evaluate(level, of: carrier, probe), reasons.isEmpty {
                    currencies.insert(probe.currency)
                }
            }
        }
        let local = Self.localCurrency[request.origin?.country ?? ""]
        guard let currency = local.flatMap({ currencies.contains($0) ? $0 : nil }) ?? (currencies.count == 1 ? currencies.first : nil) else {
            if currencies.isEmpty {
                probe.currency = local ?? ""
                let excluded = MethodRecommender.recommend(probe, carriers: carriers).excluded
                throw RPCError.failedPrecondition(
                    "NO_SERVICE_AVAILABLE",
                    "no service level can carry a \(ShippingCost.describeWeight(request.weightGrams)) parcel from \(origin) to \(destination): "
                        + excluded.prefix(5).map { "\($0.serviceCode): \($0.reason)" }.joined(separator: "; "))
            }
            throw RPCError.invalidArgument("service_code", "is required: the options from \(origin) to \(destination) are priced in \(currencies.sorted().joined(separator: ", ")); choose one with RecommendMethod")
        }
        probe.currency = currency
        let recommendation = MethodRecommender.recommend(probe, carriers: carriers)
        guard let chosen = recommendation.chosen, let cost = chosen.cost,
              let (carrier, level) = catalogue.serviceLevel(chosen.serviceCode) else {
            throw RPCError.failedPrecondition("NO_SERVICE_AVAILABLE", recommendation.explanation)
        }
        return (carrier, level, cost)
    }

    static func requireActive(_ carrier: LogisticsV1.Carrier) throws {
        if !carrier.active {
            throw RPCError.failedPrecondition("CARRIER_INACTIVE", "carrier \(carrier.id) is not accepting shipments",
                                              resource: "carrier/\(carrier.id)")
        }
    }

    /// The region a service level must cover for an address: its ISO 3166-2 `region` when it names one in the
    /// address's country (`CN-GD`), else the country.
    static func coverageRegion(_ address: CommonV1.Address?) -> String {
        guard let address else { return "" }
        if address.region.hasPrefix(address.country + "-") && CarrierCatalogue.isRegion(address.region) { return address.region }
        return address.country
    }

    /// The currency a sender in a country pays in, for the catalogue's markets.
    static let localCurrency: [String: String] = [
        "CN": "CNY", "HK": "HKD", "MO": "MOP", "US": "USD", "GB": "GBP", "JP": "JPY", "PL": "PLN",
        "AT": "EUR", "BE": "EUR", "DE": "EUR", "ES": "EUR", "FI": "EUR", "FR": "EUR", "IE": "EUR", "IT": "EUR",
        "LU": "EUR", "NL": "EUR", "PT": "EUR",
    ]
}
