import ArgumentParser
import Foundation
import Histogram
import RPCBenchCommon
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// N tasks sharing one client connection, each making unary calls back to back; prints one JSON line.
@main
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-bench-load",
        abstract: "Unary-call load against an rpc-bench-server; prints one JSON line with qps and latency percentiles."
    )

    @Option(help: "aftersale | grpc | raw")
    var kind: String = "aftersale"

    @Option(help: "unix:///path.sock or tcp://127.0.0.1:PORT")
    var address: String = ""

    @Option(help: "Concurrent tasks, all on one connection.")
    var concurrency: Int = 1

    @Option(help: "Measured seconds.")
    var duration: Double = 10

    @Option(help: "Unmeasured seconds before.")
    var warmup: Double = 2

    @Flag(help: "Print the request as each kind encodes it, and exit.")
    var printMessage = false

    func run() async throws {
        if printMessage {
            let encoded = try encodedRequests()
            for kind in BenchKind.allCases {
                let bytes = encoded[kind]!
                print("\(kind.rawValue): \(bytes.count) bytes: \(bytes.map { String($0, radix: 16, uppercase: false) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined())")
            }
            let distinct = Set(encoded.values)
            print(distinct.count == 1 ? "identical" : "DIFFERENT")
            if distinct.count != 1 { throw ExitCode.failure }
            return
        }
        guard let kind = BenchKind(rawValue: kind) else { throw ValidationError("unknown kind \(kind)") }
        guard concurrency >= 1 else { throw ValidationError("concurrency must be at least 1") }
        let address = try BenchAddress(parsing: address)

        let caller = try await makeCaller(kind: kind, address: address)
        // Connect (and check the echo) before anything is timed; the server may take a moment to be reachable.
        let connectDeadline = monotonicNanos() + 10_000_000_000
        while true {
            do {
                try await caller.call()
                break
            } catch {
                if monotonicNanos() > connectDeadline { throw BenchError("first call failed: \(error)") }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        let start = monotonicNanos()
        let measureFrom = start + UInt64(warmup * 1e9)
        let end = measureFrom + UInt64(duration * 1e9)
        let tasks = concurrency

        let merged = await withTaskGroup(of: TaskResult.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    var result = TaskResult()
                    while true {
                        let began = monotonicNanos()
                        if began >= end { break }
                        do {
                            try await caller.call()
                            let finished = monotonicNanos()
                            if began >= measureFrom {
                                _ = result.histogram.record(finished - began)
                                result.calls += 1
                                result.lastFinish = finished
                            }
                        } catch {
                            if began >= measureFrom {
                                result.errors += 1
                                result.lastFinish = monotonicNanos()
                            }
                            if result.firstError == nil { result.firstError = "\(error)" }
                        }
                    }
                    return result
                }
            }
            var merged = TaskResult()
            for await result in group {
                merged.histogram.add(result.histogram)
                merged.calls += result.calls
                merged.errors += result.errors
                merged.lastFinish = max(merged.lastFinish, result.lastFinish)
                if merged.firstError == nil { merged.firstError = result.firstError }
            }
            return merged
        }
        await caller.close()

        let seconds = Double(max(merged.lastFinish, end) - measureFrom) / 1e9
        let h = merged.histogram
        func micros(_ percentile: Double) -> String {
            h.totalCount == 0 ? "null" : String(format: "%.1f", Double(h.valueAtPercentile(percentile)) / 1000)
        }
        var fields: [String] = [
            "\"kind\":\"\(kind.rawValue)\"",
            "\"address\":\"\(address)\"",
            "\"concurrency\":\(concurrency)",
            "\"duration_s\":\(String(format: "%.3f", seconds))",
            "\"calls\":\(merged.calls)",
            "\"errors\":\(merged.errors)",
            "\"qps\":\(String(format: "%.1f", Double(merged.calls) / seconds))",
            "\"p50_us\":\(micros(50))",
            "\"p99_us\":\(micros(99))",
            "\"p999_us\":\(micros(99.9))",
            "\"max_us\":\(h.totalCount == 0 ? "null" : String(format: "%.1f", Double(h.max) / 1000))",
            "\"mean_us\":\(h.totalCount == 0 ? "null" : String(format: "%.1f", h.mean / 1000))",
        ]
        if let firstError = merged.firstError {
            let escaped = firstError.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: " ")
            fields.append("\"first_error\":\"\(escaped)\"")
        }
        print("{" + fields.joined(separator: ",") + "}")
        fflush(nil)
    }
}

struct TaskResult: Sendable {
    /// Nanoseconds, 1 ns to 60 s, three significant digits.
    var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000,
                                      numberOfSignificantValueDigits: .three)
    var calls = 0
    var errors = 0
    var lastFinish: UInt64 = 0
    var firstError: String?
}
