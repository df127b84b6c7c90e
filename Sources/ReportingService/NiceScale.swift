import Foundation

/// An axis with round tick steps (1, 2, 2.5 or 5 × 10ⁿ) covering [minimum, maximum]: the scale a person would
/// draw by hand, so gridlines land on values like 0, 25, 50, 75, 100.
struct NiceScale: Sendable, Equatable {
    let lower: Double
    let upper: Double
    let step: Double

    /// - Parameter targetTicks: about how many intervals the axis should have.
    init(minimum: Double, maximum: Double, targetTicks: Int = 5) {
        var low = min(minimum, maximum), high = max(minimum, maximum)
        if !low.isFinite || !high.isFinite { (low, high) = (0, 1) }
        if high == low {
            if high == 0 { high = 1 } else if high > 0 { low = 0 } else { high = 0 }
        }
        let step = Self.niceStep((high - low) / Double(max(targetTicks, 1)))
        self.step = step
        lower = (low / step).rounded(.down) * step
        upper = (high / step).rounded(.up) * step
    }

    /// The smallest of 1, 2, 2.5, 5, 10 × 10ⁿ that is at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let residual = raw / magnitude
        let factor = [1, 2, 2.5, 5, 10].first { residual <= $0 + 1e-9 } ?? 10
        return factor * magnitude
    }

    var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded())
        return (0...max(count, 0)).map { lower + Double($0) * step }
    }

    /// Decimals needed to print every tick exactly (0 for 25, 1 for 2.5, 2 for 0.25).
    var decimals: Int {
        for digits in 0...6 {
            let scaled = step * pow(10, Double(digits))
            if abs(scaled - scaled.rounded()) < 1e-6 { return digits }
        }
        return 6
    }

    func label(_ value: Double) -> String {
        let text = String(format: "%.\(decimals)f", value)
        return text == "-0" || text.hasPrefix("-0.") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}
