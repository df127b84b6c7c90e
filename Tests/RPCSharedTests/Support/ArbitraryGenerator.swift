@testable import RPCShared

/// A message type that can make random values of itself (generated in Generated/Arbitrary.pb.swift).
protocol ArbitraryMessage: ProtoMessage {
    static func arbitrary(_ g: inout ArbitraryGenerator, depth: Int) -> Self
}

/// Deterministic random values that favour the edges: empty and extreme numbers, unicode, escapes,
/// unknown enum numbers. Seeded so that a failure can be replayed.
struct ArbitraryGenerator {
    private var state: UInt64
    static let maxDepth = 3

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {  // SplitMix64
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    private mutating func edge<T: FixedWidthInteger>(_: T.Type) -> T {
        switch int(0...5) {
        case 0: return 0
        case 1: return .max
        case 2: return .min
        case 3: return T(truncatingIfNeeded: int(-300...300))
        default: return T(truncatingIfNeeded: next())
        }
    }

    mutating func int32() -> Int32 { edge(Int32.self) }
    mutating func int64() -> Int64 { edge(Int64.self) }
    mutating func uInt32() -> UInt32 { edge(UInt32.self) }
    mutating func uInt64() -> UInt64 { edge(UInt64.self) }
    mutating func bool() -> Bool { chance(50) }

    mutating func double() -> Double {
        switch int(0...6) {
        case 0: return 0
        case 1: return .greatestFiniteMagnitude
        case 2: return -.leastNonzeroMagnitude
        case 3: return .infinity
        case 4: return -.infinity
        default: return Double(bitPattern: next() & 0x7FEF_FFFF_FFFF_FFFF) * (chance(50) ? 1 : -1)
        }
    }

    mutating func float() -> Float {
        switch int(0...5) {
        case 0: return 0
        case 1: return .greatestFiniteMagnitude
        case 2: return .leastNonzeroMagnitude
        case 3: return -.infinity
        default: return Float(bitPattern: UInt32(truncatingIfNeeded: next()) & 0x7F7F_FFFF) * (chance(50) ? 1 : -1)
        }
    }

    static let strings = [
        "", "a", "EUR", "hello, world", "héllo", "日本語のテキスト", "售后服务", "emoji 😀🎉👨‍👩‍👧",
        "quote \" backslash \\ slash /", "tab\tnewline\ncarriage\r", "\u{01}\u{1F}\u{7F}", "e\u{301}",
        "\u{FEFF}bom", "𝄞 music", String(repeating: "long-", count: 300),
    ]

    mutating func string() -> String {
        var text = Self.strings[int(0...(Self.strings.count - 1))]
        if chance(30) { text += Self.strings[int(0...(Self.strings.count - 1))] }
        return text
    }

    mutating func bytes() -> [UInt8] {
        switch int(0...3) {
        case 0: return []
        case 1: return [0]
        default: return (0..<int(1...300)).map { _ in UInt8(truncatingIfNeeded: next()) }
        }
    }

    mutating func enumValue<E: ProtoEnum>(_: E.Type) -> E {
        if chance(15) { return E(rawValue: Int32(int(100...1000)) * (chance(50) ? 1 : -1)) }
        return E.allCases.randomElement(using: &self)!
    }

    mutating func optionalMessage<M>(depth: Int, _ make: (inout ArbitraryGenerator) -> M) -> M? {
        depth < Self.maxDepth && chance(60) ? make(&self) : nil
    }

    mutating func array<T>(depth: Int, _ make: (inout ArbitraryGenerator) -> T) -> [T] {
        guard depth < Self.maxDepth else { return [] }
        return (0..<int(0...4)).map { _ in make(&self) }
    }

    mutating func dictionary<K: Hashable, V>(depth: Int, _ make: (inout ArbitraryGenerator) -> (K, V)) -> [K: V] {
        guard depth < Self.maxDepth else { return [:] }
        var result: [K: V] = [:]
        for _ in 0..<int(0...4) {
            let (key, value) = make(&self)
            result[key] = value
        }
        return result
    }
}

extension ArbitraryGenerator: RandomNumberGenerator {}
