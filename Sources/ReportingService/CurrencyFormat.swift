import RPCShared

/// Minor-unit amounts as decimal strings, exactly (no floating point): 1234 EUR → "12.34", 1234 JPY → "1234".
enum CurrencyFormat {
    /// ISO 4217 currencies whose minor unit is not the cent; every other currency has two decimals.
    private static let exponents: [String: Int] = [
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
        "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
        "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    ]

    static func exponent(_ currency: String) -> Int { exponents[currency] ?? 2 }

    /// "12.34" for 1234 minor units of a two-decimal currency; "-0.05" for −5.
    static func decimal(_ minorUnits: Int64, currency: String) -> String {
        let digits = exponent(currency)
        let magnitude = String(minorUnits.magnitude)
        let sign = minorUnits < 0 ? "-" : ""
        guard digits > 0 else { return sign + magnitude }
        let padded = String(repeating: "0", count: max(0, digits + 1 - magnitude.count)) + magnitude
        return sign + padded.dropLast(digits) + "." + padded.suffix(digits)
    }

    /// "12.34 EUR".
    static func text(_ money: CommonV1.Money) -> String {
        "\(decimal(money.minorUnits, currency: money.currency)) \(money.currency)"
    }

    /// The amount in major units, for plotting only (a chart's pixel position, never arithmetic).
    static func major(_ money: CommonV1.Money) -> Double {
        var value = Double(money.minorUnits)
        for _ in 0..<exponent(money.currency) { value /= 10 }
        return value
    }
}
