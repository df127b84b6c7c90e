import AfterSaleTestSupport
import Foundation
import RPCShared
import Testing

/// `aftersale call`'s output options against a live server: `--emit-defaults` and `-v`.
@Suite struct CallCommandTests {
    @Test func emitDefaultsPrintsEveryFieldWithoutPresenceAndTheDefaultOmitsThem() async throws {
        let live = try await LiveServer.start(.unix)
        defer { Task { await live.stop() } }
        let address = live.endpoint.description
        let plain = try await runCall(address, "/aftersale.testing.v1.Echo/Say", "{}")
        #expect(plain.status == 0 && plain.stdout == "{}\n", "\(plain.stdout)\(plain.stderr)")
        let full = try await runCall(address, "/aftersale.testing.v1.Echo/Say", "{}", ["--emit-defaults"])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(try TestingV1.EchoResponse(jsonString: full.stdout) == TestingV1.EchoResponse())
        #expect(full.stdout == "{\n  \"text\": \"\",\n  \"index\": 0,\n  \"blob\": \"\"\n}\n", "\(full.stdout)")
    }

    @Test func emitDefaultsCoversEveryKindOfField() async throws {
        // AllTypes with nothing set, as hex: the empty message.
        let result = try await runAfterSale(["proto", "decode", "aftersale.testing.v1.AllTypes", "", "--emit-defaults"])
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout
        for member in [#""fInt32": 0"#, #""fInt64": "0""#, #""fFloat": 0"#, #""fBool": false"#, #""fString": """#,
                       #""fBytes": """#, #""fEnum": "COLOR_UNSPECIFIED""#, #""rInt32": []"#, #""rMessage": []"#,
                       #""mStringString": {}"#, #""mUint64Enum": {}"#] {
            #expect(out.contains(member), "\(member) missing in \(out)")
        }
        // Fields with presence stay absent: singular messages and an unset oneof.
        for absent in ["fMessage", "fMoney", "fTimestamp", "oString", "oMessage"] {
            #expect(!out.contains("\"\(absent)\""), "\(absent) printed")
        }
        #expect(try TestingV1.AllTypes(jsonString: out) == TestingV1.AllTypes(), "reads back as the same message")
    }

    @Test func verboseShowsMetadataTrailersAndDurationOnStderrOnly() async throws {
        let live = try await LiveServer.start(.unix)
        defer { Task { await live.stop() } }
        let address = live.endpoint.description
        let result = try await runCall(address, "/aftersale.testing.v1.Echo/Say", #"{"text":"hi"}"#,
                                       ["-v", "-H", "x-index: 3", "--token", "secret-token-that-is-long-enough"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try TestingV1.EchoResponse(jsonString: result.stdout).text == "hi", "stdout is the response alone")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "> /aftersale.testing.v1.Echo/Say on \(address) (unary, timeout 30.0 seconds)", "\(lines)")
        #expect(lines.contains("> x-index: 3"))
        #expect(lines.contains("> authorization: Bearer secret-to…(redacted)"), "\(lines)")
        #expect(!result.stderr.contains("that-is-long-enough"))
        #expect(lines.contains { $0.hasPrefix("> idempotency-key: cli-") }, "Say has side effects: a fresh key")
        #expect(lines.contains("< headers: (none)"))
        #expect(lines.contains { $0.hasPrefix("< trailer x-request-id: ") }, "\(lines)")
        let last = try #require(lines.last)
        #expect(last.hasPrefix("< OK in ") && last.hasSuffix("ms"), "\(last)")

        let failed = try await runCall(address, "/aftersale.testing.v1.Echo/Say", #"{"failCode":5}"#, ["--verbose"])
        #expect(failed.status == 5)
        let failedLines = failed.stderr.split(separator: "\n").map(String.init)
        #expect(failedLines.contains { $0.hasPrefix("< trailer x-request-id: ") }, "\(failedLines)")
        #expect(failedLines.contains { $0.hasPrefix("< NOT_FOUND in ") })
        #expect(failedLines.last == "aftersale: NOT_FOUND: asked to fail")

        let quiet = try await runCall(address, "/aftersale.testing.v1.Echo/Say", #"{"text":"hi"}"#)
        #expect(quiet.stderr.isEmpty, "without -v nothing goes to stderr")
    }
}
