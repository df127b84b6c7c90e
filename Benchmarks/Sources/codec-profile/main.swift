// A plain loop over one codec operation, for profilers that need a process of their own, and an interleaved
// comparison that holds up on a noisy machine:
//   swift build --package-path Benchmarks -c release --product codec-profile
//   Benchmarks/.build/release/codec-profile                                  # check the fixtures, print sizes
//   Benchmarks/.build/release/codec-profile AfterSale case-detail decode 100000
//   Benchmarks/.build/release/codec-profile compare [seconds per pair, default 2]
// `compare` alternates short rounds (~5 ms) of AfterSale and swift-protobuf on the same message and operation, so
// both see the same background load, and prints the median ns/op of each and the median of the per-round ratios.
import CodecFixtures
#if canImport(Glibc)
import Glibc
#endif

func nanoseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
}

func time(_ workload: Workload, _ iterations: Int) throws -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    for _ in 0..<iterations { try workload.run() }
    return nanoseconds(clock.now - start) / Double(iterations)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func twoDecimals(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

func compare(secondsPerPair: Double) throws {
    print("| message | op | AfterSale ns/op | swift-protobuf ns/op | ratio (median of rounds) | rounds |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for message in MessageCase.allCases {
        for operation in Operation.allCases {
            let a = Workload.make(.afterSale, message, operation)
            let s = Workload.make(.swiftProtobuf, message, operation)
            // Warm up, then size a round to ~5 ms of the slower of the two.
            _ = try time(a, 200); _ = try time(s, 200)
            let slowest = max(try time(a, 500), try time(s, 500))
            let iterations = max(10, Int(5_000_000 / slowest))
            var aTimes: [Double] = [], sTimes: [Double] = [], ratios: [Double] = []
            let clock = ContinuousClock()
            let end = clock.now + .milliseconds(Int(secondsPerPair * 1000))
            var round = 0
            while clock.now < end {
                let (x, y): (Double, Double)
                if round % 2 == 0 {
                    x = try time(a, iterations); y = try time(s, iterations)
                } else {
                    y = try time(s, iterations); x = try time(a, iterations)
                }
                aTimes.append(x); sTimes.append(y); ratios.append(y / x)
                round += 1
            }
            let ratio = median(ratios)
            print("| \(message.rawValue) | \(operation.rawValue) | \(Int(median(aTimes).rounded())) | \(Int(median(sTimes).rounded())) | \(twoDecimals(ratio))× | \(round) |")
        }
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    for report in try verifyFixtures() { print(report) }
} catch {
    print(error)
    exit(1)
}
if arguments.first == "compare" {
    try compare(secondsPerPair: arguments.count > 1 ? Double(arguments[1]) ?? 2 : 2)
    exit(0)
}
guard arguments.count >= 3 else {
    if !arguments.isEmpty {
        print("usage: codec-profile (AfterSale|swift-protobuf) (small|case-detail) (encode|decode|encode+decode) [iterations]")
        print("       codec-profile compare [seconds per pair]")
        exit(2)
    }
    exit(0)
}
guard let codec = Codec(rawValue: arguments[0]), let message = MessageCase(rawValue: arguments[1]),
      let operation = Operation(rawValue: arguments[2]) else {
    print("unknown codec, message or operation: \(arguments.joined(separator: " "))")
    exit(2)
}
let iterations = arguments.count > 3 ? Int(arguments[3]) ?? 100_000 : 100_000
let nsPerOp = try time(Workload.make(codec, message, operation), iterations)
print("\(codec.rawValue) \(message.rawValue) \(operation.rawValue): \(iterations) iterations, \(Int(nsPerOp.rounded())) ns/op")
