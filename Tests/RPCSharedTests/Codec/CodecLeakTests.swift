#if canImport(Glibc)
import CHeapStats
import XCTest
@testable import RPCShared

/// Counts heap bytes in use (glibc's mallinfo2) around many encode/decode rounds, on the happy path and on every
/// failure path, with trees small enough for the stack arena and large enough to spill into heap chunks.
/// XCTest, not Swift Testing: `swift test` runs XCTest cases in their own process, one at a time, so no other
/// test allocates meanwhile. (valgrind 3.19 cannot read the DWARF 5 that Swift 6.3 emits.)
final class CodecLeakTests: XCTestCase {
    typealias AllTypes = TestingV1.AllTypes

    func testNoHeapGrowthAcrossEncodeDecodeAndFailures() throws {
        var generator = ArbitraryGenerator(seed: 99)
        let values = (0..<50).map { _ in AllTypes.arbitrary(&generator, depth: 0) }
        var large = AllTypes()
        large.rString = (0..<200).map { "string number \($0) " + String(repeating: "x", count: $0) }
        large.rMessage = (0..<300).map { .init(a: Int32($0), b: "nested \($0)", colors: [.red, .blue]) }
        let largeBytes = try large.serializedBytes()
        XCTAssertGreaterThan(largeBytes.count, 3 * CArena.stackBytes, "must spill the arena onto the heap")
        let deep = MalformedInputTests.recursive(depth: 2000)
        let withNUL = AllTypes(fString: "a\u{0}b")

        func round() throws {
            for value in values {
                let bytes = try value.serializedBytes()
                _ = try AllTypes(serializedBytes: bytes)
                _ = try? AllTypes(serializedBytes: Array(bytes.dropLast()))       // truncated
            }
            _ = try AllTypes(serializedBytes: largeBytes)
            _ = try large.serializedBytes()
            _ = try? TestingV1.Recursive(serializedBytes: deep)                      // too deep
            _ = try? withNUL.serializedBytes()                                      // encode error mid-tree
            _ = try? AllTypes(serializedBytes: [0x0D, 0, 0, 0, 0])                 // rejected by libprotobuf-c
        }

        for _ in 0..<20 { try round() }   // warm caches, lazy globals, allocator pools
        let before = heap_bytes_in_use()
        XCTAssertGreaterThan(before, 0, "the heap probe must measure something")
        for _ in 0..<400 { try round() }
        let after = heap_bytes_in_use()
        let growth = Int(after) - Int(before)
        // One leaked chunk per round would be ≥ 400 × 16 KiB; one leaked string per value ≥ 400 × 50 × 16 B.
        XCTAssertLessThan(growth, 64 * 1024, "heap grew by \(growth) bytes over 400 rounds")
    }
}
#endif
