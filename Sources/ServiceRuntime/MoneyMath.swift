import RPCShared

/// Money arithmetic in integer minor units. Nothing here uses floating point; every operation that could
/// overflow or mix currencies throws instead of producing a wrong amount.
public enum MoneyMath {
    /// Three upper-case ASCII letters (ISO 4217 alphabetic form).
    public static func isCurrencyCode(_ code: String) -> Bool {
        code.utf8.count == 3 && code.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
    }

    /// `a + b`; INVALID_ARGUMENT if the currencies differ or the sum overflows.
    public static func add(_ a: CommonV1.Money, _ b: CommonV1.Money, field: String = "amount") throws -> CommonV1.Money {
        try sameCurrency(a, b, field: field)
        let (sum, overflow) = a.minorUnits.addingReportingOverflow(b.minorUnits)
        if overflow { throw RPCError.invalidArgument(field, "amount overflows 64-bit minor units") }
        return CommonV1.Money(currency: a.currency, minorUnits: sum)
    }

    /// `a − b`, with the same checks as ``add(_:_:field:)``.
    public static func subtract(_ a: CommonV1.Money, _ b: CommonV1.Money, field: String = "amount") throws -> CommonV1.Money {
        try add(a, CommonV1.Money(currency: b.currency, minorUnits: try negate(b.minorUnits, field: field)), field: field)
    }

    /// The sum of `amounts`, all in `currency` (an empty list sums to zero).
    public static func sum(_ amounts: [CommonV1.Money], currency: String, field: String = "amount") throws -> CommonV1.Money {
        try amounts.reduce(CommonV1.Money(currency: currency, minorUnits: 0)) { try add($0, $1, field: field) }
    }

    /// Fails with INVALID_ARGUMENT when the currencies differ: amounts in different currencies are never added.
    public static func sameCurrency(_ a: CommonV1.Money, _ b: CommonV1.Money, field: String = "amount") throws {
        if a.currency != b.currency {
            throw RPCError.invalidArgument(field, "currency \(b.currency) does not match \(a.currency); mixed currencies are not allowed")
        }
    }

    /// `value × numerator ÷ denominator`, rounded half away from zero, with a 128-bit intermediate so the product
    /// cannot overflow. Callers scale by proportions: |numerator| ≤ |denominator|, so the result fits.
    public static func scale(_ value: Int64, by numerator: Int64, over denominator: Int64) -> Int64 {
        precondition(denominator != 0 && numerator.magnitude <= denominator.magnitude,
                     "scale needs |numerator| ≤ |denominator| ≠ 0")
        let product = value.multipliedFullWidth(by: numerator)
        let productNegative = product.high < 0
        let magnitude = productNegative ? negate128(product) : (high: UInt64(bitPattern: product.high), low: product.low)
        let divisor = denominator.magnitude
        let (quotient, remainder) = divisor.dividingFullWidth(magnitude)
        let rounded = remainder >= divisor - remainder ? quotient + 1 : quotient
        return productNegative != (denominator < 0) ? -Int64(rounded) : Int64(rounded)
    }

    /// Applies a rate in basis points (1500 = 15 %), rounding half away from zero.
    public static func basisPoints(_ value: Int64, _ bp: Int32) -> Int64 {
        scale(value, by: Int64(bp), over: 10_000)
    }

    /// Splits `total` into shares proportional to `weights` that add up to exactly `total`
    /// (largest-remainder method; ties go to the earlier weight). All-zero weights split evenly.
    public static func allocate(_ total: Int64, weights: [Int64]) -> [Int64] {
        guard !weights.isEmpty else { return [] }
        precondition(weights.allSatisfy { $0 >= 0 }, "allocation weights must not be negative")
        let effective = weights.allSatisfy { $0 == 0 } ? Array(repeating: Int64(1), count: weights.count) : weights
        let weightSum = effective.reduce(Int64(0), +)
        let sign: Int64 = total < 0 ? -1 : 1
        let magnitude = total.magnitude
        var shares: [Int64] = []
        var remainders: [(index: Int, remainder: UInt64)] = []
        var allocated: UInt64 = 0
        for (index, weight) in effective.enumerated() {
            let product = magnitude.multipliedFullWidth(by: UInt64(weight))
            let (quotient, remainder) = UInt64(weightSum).dividingFullWidth(product)
            shares.append(Int64(quotient))
            remainders.append((index, remainder))
            allocated += quotient
        }
        var left = magnitude - allocated
        for entry in remainders.sorted(by: { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }) {
            guard left > 0 else { break }
            shares[entry.index] += 1
            left -= 1
        }
        return shares.map { $0 * sign }
    }

    private static func negate(_ value: Int64, field: String) throws -> Int64 {
        if value == .min { throw RPCError.invalidArgument(field, "amount overflows 64-bit minor units") }
        return -value
    }

    private static func negate128(_ value: (high: Int64, low: UInt64)) -> (high: UInt64, low: UInt64) {
        let low = ~value.low &+ 1
        let high = ~UInt64(bitPattern: value.high) &+ (low == 0 ? 1 : 0)
        return (high, low)
    }
}
