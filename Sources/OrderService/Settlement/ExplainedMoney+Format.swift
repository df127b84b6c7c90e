import RPCShared

extension OrderV1.ExplainedMoney {
    /// An amount of `minorUnits` in `currency` with the sentence that explains it.
    init(_ minorUnits: Int64, _ currency: String, _ explanation: String) {
        self.init(amount: CommonV1.Money(currency: currency, minorUnits: minorUnits), explanation: explanation)
    }

    /// The signed amount in minor units (0 when absent).
    var minorUnits: Int64 { amount?.minorUnits ?? 0 }

    /// Digits after the decimal point for ISO 4217 `currency`. Settlement sentences are read by customers, so
    /// 5 JPY must read "5", not "0.05", and 1 BHD "1.000". Unlisted currencies use 2, the ISO default.
    static func exponent(for currency: String) -> Int {
        switch currency {
        case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
             "XAF", "XOF", "XPF":
            return 0
        case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
            return 3
        case "CLF", "UYW":
            return 4
        default:
            return 2
        }
    }

    /// `minorUnits` as a decimal in `currency`'s exponent, e.g. 4050 EUR → "40.50", 4050 JPY → "4050",
    /// −405 EUR → "−4.05" (with a real minus sign, as in the sentences).
    static func format(_ minorUnits: Int64, _ currency: String) -> String {
        let sign = minorUnits < 0 ? "−" : ""
        let magnitude = minorUnits.magnitude
        let exponent = exponent(for: currency)
        guard exponent > 0 else { return sign + String(magnitude) }
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let fraction = String(magnitude % divisor)
        let padded = String(repeating: "0", count: exponent - fraction.count) + fraction
        return "\(sign)\(magnitude / divisor).\(padded)"
    }

    /// A rate in basis points as a percentage: 1000 → "10 %", 1250 → "12.5 %", 5 → "0.05 %".
    static func percent(_ basisPoints: Int32) -> String {
        let whole = basisPoints / 100
        var fraction = String(basisPoints % 100)
        if fraction.count < 2 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole) %" : "\(whole).\(fraction) %"
    }

    /// A signed sum written out term by term: [45.00, −4.50, 4.05, −4.05] → "45.00 − 4.50 + 4.05 − 4.05".
    static func sum(_ terms: [Int64], _ currency: String) -> String {
        var text = ""
        for (index, term) in terms.enumerated() {
            let magnitude = format(Int64(clamping: term.magnitude), currency)
            if index == 0 { text = term < 0 ? "−" + magnitude : magnitude }
            else { text += (term < 0 ? " − " : " + ") + magnitude }
        }
        return text
    }
}
