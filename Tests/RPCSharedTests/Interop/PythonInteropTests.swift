import AfterSaleTestSupport
import Foundation
import Testing
@testable import RPCShared

/// Wire and JSON compatibility with an implementation nobody here wrote: Google's protobuf runtime for Python,
/// running code that `protoc --python_out` generated from the same proto files. For every message type:
/// Swift's bytes decode in Python into the same message, and re-encode to the very same bytes wherever no map is
/// involved; Python's JSON reads back in Swift; Swift's JSON parses in Python into the same message; and Swift's
/// JSON with `emitDefaults` has the very members of Google's `always_print_fields_with_no_presence`.
@Suite struct PythonInteropTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Case: Codable, Sendable { var type: String; var binary: String; var json: String; var json_full: String? }
    struct Answer: Codable, Sendable {
        var binary_from_binary: String?; var json_from_binary: String?; var binary_from_json: String?; var has_map: Bool?; var error: String?
        var full_missing: [String]?; var full_extra: [String]?; var full_reads_back: Bool?
    }

    @Test func everyMessageTypeBothDirections() async throws {
        var generator = ArbitraryGenerator(seed: 2026)
        var cases: [Case] = []
        var originals: [any ProtoMessage] = []
        for type in Arbitrary.allMessages where type.protoMessageName.hasPrefix("aftersale.") {  // grpc.*, google.*: grpcio's and protobuf's modules, not generated here
            for _ in 0..<3 {
                let value = type.arbitrary(&generator, depth: 0)
                cases.append(Case(type: type.protoMessageName, binary: Base64.encode(try value.serializedBytes()),
                                  json: value.jsonString(), json_full: value.jsonString(emitDefaults: true)))
                originals.append(value)
            }
        }
        let answers = try await offloaded { [cases] in try Self.runPython(cases) }
        try #require(answers.count == cases.count, "python answered \(answers.count) of \(cases.count) cases")
        for (index, answer) in answers.enumerated() {
            let name = cases[index].type
            if let error = answer.error {
                Issue.record("python failed on \(name): \(error)\nJSON: \(cases[index].json.prefix(400))")
                continue
            }
            try check(originals[index], cases[index], answer)
        }
    }

    private func check<M: ProtoMessage>(_ original: M, _ sent: Case, _ answer: Answer) throws {
        let pythonBytes = Base64.decode(answer.binary_from_binary ?? "")!
        if answer.has_map == false {
            #expect(Base64.encode(pythonBytes) == sent.binary, "\(M.protoMessageName): Python re-encoded different bytes")
        }
        #expect(try M(serializedBytes: pythonBytes) == original, "\(M.protoMessageName): binary from Python")
        let fromPythonJSON = try M(jsonString: answer.json_from_binary ?? "")
        #expect(fromPythonJSON == original, "\(M.protoMessageName): JSON from Python \(answer.json_from_binary ?? "")")
        let viaJSON = try M(serializedBytes: Base64.decode(answer.binary_from_json ?? "")!)
        #expect(viaJSON == original, "\(M.protoMessageName): Swift's JSON parsed by Python")
        // emitDefaults prints exactly the members Google's always_print_fields_with_no_presence prints.
        #expect(answer.full_missing == [] && answer.full_extra == [],
                "\(M.protoMessageName) emitDefaults: missing \(answer.full_missing ?? []), extra \(answer.full_extra ?? [])")
        #expect(answer.full_reads_back == true, "\(M.protoMessageName): Swift's emitDefaults JSON parsed by Python")
    }

    private static func runPython(_ cases: [Case]) throws -> [Answer] {
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.packageRoot.appendingPathComponent("Tests/RPCSharedTests/Interop/interop.py").path,
                             Self.packageRoot.appendingPathComponent("clients/python/src").path]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let encoder = JSONEncoder()
        let writer = Thread {
            for item in cases { input.fileHandleForWriting.write(try! encoder.encode(item) + Data("\n".utf8)) }
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 interop.py failed (is the 'protobuf' package installed?): \(stderr)")
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { try decoder.decode(Answer.self, from: Data($0)) }
    }
}
