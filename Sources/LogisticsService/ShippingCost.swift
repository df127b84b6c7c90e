import RPCShared

/// What one parcel costs on a service level, in integer minor units: `base_cost + cost_per_kg × extra kilograms`,
/// where the extra kilograms are the started kilograms above the first (`ceil(grams / 1000) − 1`, at least 0).
/// 1 000 g costs the base; 1 001 g costs the base plus one kilogram.
public enum ShippingCost {
    /// The started kilograms above the first.
    public static func extraKilograms(_ grams: Int32) -> Int64 {
        guard grams > 0 else { return 0 }
        return max(0, (Int64(grams) + 999) / 1000 - 1)
    }

    /// The price of a `grams` parcel on `level`; nil when the level has no price or the sum overflows.
    public static func price(_ level: LogisticsV1.ServiceLevel, grams: Int32) -> CommonV1.Money? {
        guard let base = level.baseCost, let perKg = level.costPerKg, base.currency == perKg.currency else { return nil }
        let (weightPart, overflow) = perKg.minorUnits.multipliedReportingOverflow(by: extraKilograms(grams))
        guard !overflow else { return nil }
        let (total, overflowSum) = base.minorUnits.addingReportingOverflow(weightPart)
        guard !overflowSum else { return nil }
        return CommonV1.Money(currency: base.currency, minorUnits: total)
    }

    /// "12.00 CNY", "1500 JPY": minor units with the currency's usual number of decimals (2 unless listed).
    public static func describe(_ money: CommonV1.Money) -> String {
        let decimals = zeroDecimalCurrencies.contains(money.currency) ? 0 : 2
        guard decimals > 0 else { return "\(money.minorUnits) \(money.currency)" }
        let magnitude = money.minorUnits.magnitude
        let fraction = magnitude % 100
        let sign = money.minorUnits < 0 ? "-" : ""
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction) \(money.currency)"
    }

    /// "2 kg", "31.5 kg", "0.25 kg".
    public static func describeWeight(_ grams: Int32) -> String {
        let whole = grams / 1000, rest = grams % 1000
        guard rest != 0 else { return "\(whole) kg" }
        var decimals = String(rest)
        while decimals.count < 3 { decimals = "0" + decimals }
        while decimals.hasSuffix("0") { decimals.removeLast() }
        return "\(whole).\(decimals) kg"
    }

    /// ISO 4217 currencies without minor unit decimals.
    static let zeroDecimalCurrencies: Set<String> = ["JPY", "KRW", "VND", "CLP", "ISK", "PYG", "UGX", "XAF", "XOF"]
}
