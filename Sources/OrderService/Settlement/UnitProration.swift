import ServiceRuntime

/// Splits an amount that belongs to a whole order line (its discount, its tax, its share of the order
/// discount) over the line's units so that the cases settling them never add up to more, or less, than the
/// amount — however the units are split across cases.
///
/// Units are settled in order: the first case takes units 1…q, a later one units r+1…r+q (r = units already
/// settled). Their share is `round(amount × (r+q)/Q) − round(amount × r/Q)` (half away from zero), which is
/// `round(amount × q/Q)` for the first case and makes the case that takes the last unit absorb the rounding
/// remainder: the shares telescope to exactly `amount`. Rounding each case on its own would pay 3 × 3.34 for
/// a 10.00 discount over three units in three cases.
struct UnitProration: Sendable, Equatable {
    /// The share for the units r+1…r+q, and what plain rounding of q/Q would have given.
    struct Share: Sendable, Equatable {
        var amount: Int64
        var plain: Int64
        /// true when the share carries a rounding remainder of other units (so the explanation says why).
        var carriesRemainder: Bool { amount != plain }
    }

    /// Units on the order line (Q > 0).
    let lineQuantity: Int64

    /// The share of `amount` (≥ 0) for `units` units after `settledBefore` units were settled.
    /// Requires settledBefore + units ≤ lineQuantity (checked by the input validation).
    func share(of amount: Int64, units: Int64, after settledBefore: Int64) -> Share {
        let before = cumulative(amount, settledBefore)
        let after = cumulative(amount, settledBefore + units)
        return Share(amount: after - before, plain: cumulative(amount, units))
    }

    /// `amount × units / Q`, rounded half away from zero: what the first `units` units carry together.
    func cumulative(_ amount: Int64, _ units: Int64) -> Int64 {
        MoneyMath.scale(amount, by: units, over: lineQuantity)
    }
}
