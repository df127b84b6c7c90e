import AfterSaleTestSupport
import Foundation
import RPCShared
import Testing

/// The real `aftersale` binary, run as a user would run it.
@Suite struct CLITests {

    static func run(_ arguments: [String], stdin: String? = nil) async throws -> CLIResult {
        try await runAfterSale(arguments, stdin: stdin)
    }

    @Test func encodeThenDecode() async throws {
        let encoded = try await Self.run(["proto", "encode", "aftersale.common.v1.Money", #"{"currency":"EUR","minorUnits":"1999"}"#])
        #expect(encoded.status == 0)
        #expect(encoded.stdout == "0a0345555210cf0f\n")
        let decoded = try await Self.run(["proto", "decode", "aftersale.common.v1.Money", "-"], stdin: "0a0345555210cf0f\n")
        #expect(decoded.status == 0)
        #expect(decoded.stdout.contains(#""minorUnits": "1999""#))
    }

    @Test(arguments: [
        (["proto", "encode", "aftersale.nope.v1.X", "{}"], "unknown message type 'aftersale.nope.v1.X'"),
        (["proto", "encode", "aftersale.common.v1.Money", #"{"currency":1}"#], "Money.currency: expected a string, found a number"),
        (["proto", "decode", "aftersale.common.v1.Money", "zz"], "'zz' is not hex"),
        (["proto", "decode", "aftersale.common.v1.Money", "0a05"], "cannot decode aftersale.common.v1.Money"),
        (["seed", "--product-addr", "nonsense"], "'nonsense' is not an address"),
        (["seed", "--product-addr", "unix:///tmp/aftersale-none.sock", "--customer-addr", "unix:///tmp/aftersale-none.sock",
          "--order-addr", "unix:///tmp/aftersale-none.sock", "--timeout", "2s"], "cannot connect to unix:///tmp/aftersale-none.sock"),
    ])
    func badInputIsOneClearLine(_ arguments: [String], _ message: String) async throws {
        let result = try await Self.run(arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
        #expect(result.stderr.split(separator: "\n").count <= 3)
    }

    @Test func callListDescribeHealthAgainstALiveServer() async throws {
        let live = try await LiveServer.start(.unix)
        let address = live.endpoint.description
        let ok = try await Self.run(["call", address, "/aftersale.testing.v1.Echo/Say", #"{"text":"hi"}"#, "-H", "x-index: 3"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains(#""text": "hi""#) && ok.stdout.contains(#""index": 3"#))

        let streamed = try await Self.run(["call", address, "aftersale.testing.v1.Echo.Count", "-"], stdin: #"{"text":"s","repeat":3}"#)
        #expect(streamed.stdout.components(separatedBy: #""text": "s""#).count == 4)

        let failed = try await Self.run(["call", address, "/aftersale.testing.v1.Echo/Say", #"{"failCode":5}"#])
        #expect(failed.status == 5)
        #expect(failed.stderr == "aftersale: NOT_FOUND: asked to fail\n")

        let slow = try await Self.run(["call", address, "/aftersale.testing.v1.Echo/Say", #"{"sleepMillis":"5000"}"#, "--timeout", "100ms"])
        #expect(slow.status == StatusCode.deadlineExceeded.rawValue)

        let list = try await Self.run(["list", address])
        #expect(list.stdout.contains("aftersale.testing.v1.Echo\n  Say(aftersale.testing.v1.EchoRequest) returns (aftersale.testing.v1.EchoResponse)"))
        #expect(list.stdout.contains("Count(aftersale.testing.v1.EchoRequest) returns (stream aftersale.testing.v1.EchoResponse)"))

        let describe = try await Self.run(["describe", address, "aftersale.testing.v1.Echo.Say"])
        #expect(describe.stdout.contains("request: aftersale.testing.v1.EchoRequest\n  1  text: string (singular)"), "\(describe.stdout)")

        let health = try await Self.run(["health", address])
        #expect(health.status == 0 && health.stdout == "SERVING\n")
        let unknown = try await Self.run(["health", address, "nope"])
        #expect(unknown.status == StatusCode.notFound.rawValue && unknown.stderr.contains("unknown service 'nope'"))
        await live.stop()

        let down = try await Self.run(["health", address, "--timeout", "1s"])
        #expect(down.status == 69)
        #expect(down.stderr.hasPrefix("aftersale: cannot connect to \(address)"))
        #expect(down.stderr.split(separator: "\n").count == 1)
    }

    @Test(arguments: [
        (["call", "nowhere", "/aftersale.testing.v1.Echo/Say"], "'nowhere' is not an address"),
        (["call", "unix:///tmp/x.sock", "/no.Such/Method"], "unknown method '/no.Such/Method'"),
        (["call", "unix:///tmp/x.sock", "/aftersale.testing.v1.Echo/Say", "{bad"], "EchoRequest"),
        (["call", "unix:///tmp/x.sock", "/aftersale.testing.v1.Echo/Say", "{}", "--timeout", "soon"], "not a duration"),
        (["call", "unix:///tmp/x.sock", "/aftersale.testing.v1.Echo/Say", "{}", "-H", "novalue"], "expected key:value"),
    ])
    func callRejectsBadInputClearly(_ arguments: [String], _ message: String) async throws {
        let result = try await Self.run(arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count <= 2)
    }

    @Test func typesListsEveryPackage() async throws {
        let result = try await Self.run(["proto", "types"])
        for package in ["common", "order", "product", "customer", "logistics", "reporting", "gateway", "health", "rpc"] {
            #expect(result.stdout.contains("aftersale.\(package).v1."), "no \(package) types")
        }
    }
}
