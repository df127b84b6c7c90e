import Foundation
import Testing

/// The real `aftersale` binary, run as a user would run it.
@Suite struct ProtoCommandTests {
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("aftersale")

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ arguments: [String], stdin: String? = nil) throws -> Result {
        // When run under swift-testing the test bundle path may be .../AfterSalePackageTests.xctest
        var binary = Self.binary
        if !FileManager.default.fileExists(atPath: binary.path) {
            binary = binary.deletingLastPathComponent().appendingPathComponent("aftersale")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let output = Pipe(), errors = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: out, stderr: err)
    }

    @Test func encodeThenDecode() throws {
        let encoded = try Self.run(["proto", "encode", "aftersale.common.v1.Money", #"{"currency":"EUR","minorUnits":"1999"}"#])
        #expect(encoded.status == 0)
        #expect(encoded.stdout == "0a0345555210cf0f\n")
        let decoded = try Self.run(["proto", "decode", "aftersale.common.v1.Money", "-"], stdin: "0a0345555210cf0f\n")
        #expect(decoded.status == 0)
        #expect(decoded.stdout.contains(#""minorUnits": "1999""#))
    }

    @Test(arguments: [
        (["proto", "encode", "aftersale.nope.v1.X", "{}"], "unknown message type 'aftersale.nope.v1.X'"),
        (["proto", "encode", "aftersale.common.v1.Money", #"{"currency":1}"#], "Money.currency: expected a string, found a number"),
        (["proto", "decode", "aftersale.common.v1.Money", "zz"], "'zz' is not hex"),
        (["proto", "decode", "aftersale.common.v1.Money", "0a05"], "cannot decode aftersale.common.v1.Money"),
    ])
    func badInputIsOneClearLine(_ arguments: [String], _ message: String) throws {
        let result = try Self.run(arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
        #expect(result.stderr.split(separator: "\n").count <= 3)
    }

    @Test func typesListsEveryPackage() throws {
        let result = try Self.run(["proto", "types"])
        for package in ["common", "order", "product", "customer", "logistics", "reporting", "gateway", "health", "rpc"] {
            #expect(result.stdout.contains("aftersale.\(package).v1."), "no \(package) types")
        }
    }
}
