import Foundation
import Synchronization

/// Opaque ids that sort by creation time: `<prefix>_` + 26 Crockford base-32 characters (48 bits of
/// milliseconds since the epoch, then 80 random bits), the ULID layout. Sorting by id is sorting by age, which
/// is what newest-first cursor pagination needs, and ids from different processes do not collide. Within one
/// process ids are strictly increasing: in the same millisecond the random part of the previous id is incremented
/// (ULID's monotonic mode), so two events created in a row keep their order.
public enum Identifier {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    private static let last = Mutex<(millis: UInt64, high: UInt16, low: UInt64)>((0, 0, 0))

    public static func make(_ prefix: String, at date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(prefix, at: date, using: &generator)
    }

    public static func make(_ prefix: String, at date: Date, using generator: inout some RandomNumberGenerator) -> String {
        var millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var randomHigh = UInt16.random(in: .min ... .max, using: &generator)
        var randomLow = UInt64.random(in: .min ... .max, using: &generator)
        (millis, randomHigh, randomLow) = last.withLock { last in
            if millis <= last.millis {
                // Same (or an earlier, clock stepped back) millisecond: continue after the previous id.
                let (low, carry) = last.low.addingReportingOverflow(1)
                last = (last.millis, carry ? last.high &+ 1 : last.high, low)
            } else {
                last = (millis, randomHigh, randomLow)
            }
            return last
        }
        // 128 bits: 48 time | 16 random | 64 random, written as 26 base-32 digits (the top 2 bits are zero).
        let high = (millis << 16) | UInt64(randomHigh)
        var digits = [UInt8](repeating: 0, count: 26)
        var (hi, lo) = (high, randomLow)
        for index in stride(from: 25, through: 0, by: -1) {
            digits[index] = alphabet[Int(lo & 31)]
            lo = (lo >> 5) | ((hi & 31) << 59)
            hi >>= 5
        }
        return prefix + "_" + String(decoding: digits, as: UTF8.self)
    }
}
