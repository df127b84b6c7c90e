// A plain loop over one codec operation, for profilers that need a process of their own:
//   swift build -c release --product codec-profile
//   valgrind --tool=callgrind .build/release/codec-profile AfterSale case-detail decode 2000
//   perf record -g .build/release/codec-profile AfterSale case-detail encode+decode 2000000
// Without arguments it checks the fixtures and prints their encoded sizes.
import CodecFixtures
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments.dropFirst()
do {
    for report in try verifyFixtures() { print(report) }
} catch {
    print(error)
    exit(1)
}
guard arguments.count >= 3 else {
    if !arguments.isEmpty {
        print("usage: codec-profile (AfterSale|swift-protobuf) (small|case-detail) (encode|decode|encode+decode) [iterations]")
        exit(2)
    }
    exit(0)
}
let values = Array(arguments)
guard let codec = Codec(rawValue: values[0]), let message = MessageCase(rawValue: values[1]),
      let operation = Operation(rawValue: values[2]) else {
    print("unknown codec, message or operation: \(values.joined(separator: " "))")
    exit(2)
}
let iterations = values.count > 3 ? Int(values[3]) ?? 100_000 : 100_000
let workload = Workload.make(codec, message, operation)
let start = ContinuousClock.now
for _ in 0..<iterations { try workload.run() }
let elapsed = ContinuousClock.now - start
let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
print("\(codec.rawValue) \(message.rawValue) \(operation.rawValue): \(iterations) iterations, \(Int((ns / Double(iterations)).rounded())) ns/op")
