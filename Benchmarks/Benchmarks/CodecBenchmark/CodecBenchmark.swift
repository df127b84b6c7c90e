// Encode and decode of the same two messages through AfterSale's codec (RPCShared value types, libprotobuf-c)
// and through apple/swift-protobuf 1.39's generated code, in one run.
//
//   swift package --package-path Benchmarks benchmark            (from the repository root)
//
// Each sample runs the operation 1,000 times (scalingFactor .kilo); the table shows per-operation figures.
// Before anything is measured, verifyFixtures() checks that each library's bytes decode in the other library to
// the same values, and prints the encoded sizes.
import Benchmark
import CodecFixtures

let benchmarks: @Sendable () -> Void = {
    do {
        for report in try verifyFixtures() { print("fixture \(report)") }
    } catch {
        fatalError("\(error)")
    }

    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 5,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    for message in MessageCase.allCases {
        for operation in Operation.allCases {
            for codec in Codec.allCases {
                let workload = Workload.make(codec, message, operation)
                Benchmark("\(message.rawValue) \(operation.rawValue) \(codec.rawValue)") { benchmark in
                    for _ in benchmark.scaledIterations {
                        try workload.run()
                    }
                }
            }
        }
    }
}
