import AfterSaleTestSupport
import Foundation
import RPCShared
import Testing

/// Every class of exit status of the real binary, from real processes: 0, the call's status 1–16, and the
/// sysexits codes 64 and up that never collide with a status (docs/CLI.md).
@Suite struct ExitStatusTests {
    @Test func aFailedCallExitsWithItsStatusCodeFromOneToSixteen() async throws {
        let live = try await LiveServer.start(.unix)
        defer { Task { await live.stop() } }
        let address = live.endpoint.description
        let ok = try await runCall(address, "/aftersale.testing.v1.Echo/Say", #"{"text":"hi"}"#)
        #expect(ok.status == 0 && ok.stderr.isEmpty, "\(ok.stderr)")
        for code in [StatusCode.cancelled, .invalidArgument, .notFound, .unavailable, .unauthenticated] {
            let failed = try await runCall(address, "/aftersale.testing.v1.Echo/Say", #"{"failCode":\#(code.rawValue)}"#)
            #expect(failed.status == code.rawValue, "\(code): \(failed.stderr)")
            #expect(failed.stderr == "aftersale: \(code): asked to fail\n")
        }
    }

    @Test(arguments: [
        (["call", "unix:///tmp/x.sock", "/no.Such/Method"], "unknown method '/no.Such/Method'"),
        (["call", "nowhere", "/aftersale.testing.v1.Echo/Say"], "'nowhere' is not an address"),
        (["call", "unix:///tmp/x.sock", "/aftersale.testing.v1.Echo/Say", "{}", "--timeout", "soon"], "not a duration"),
        (["call", "unix:///tmp/x.sock", "/aftersale.testing.v1.Echo/Say", "{}", "-H", "novalue"], "expected key:value"),
        (["call", "unix:///tmp/x.sock", "/aftersale.testing.v1.Echo/Say", "{}", "--no-such-flag"], "Unknown option '--no-such-flag'"),
        (["no-such-command"], "Unexpected argument 'no-such-command'"),
        (["describe", "aftersale.nope.v1.Nothing"], "unknown name 'aftersale.nope.v1.Nothing'"),
    ])
    func usageErrorsExitSixtyFour(_ arguments: [String], _ message: String) async throws {
        let result = try await runAfterSale(arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test(arguments: [
        (["call", "unix:///tmp/x.sock", "/aftersale.testing.v1.Echo/Say", "{bad"], "not a valid aftersale.testing.v1.EchoRequest"),
        (["call", "unix:///tmp/x.sock", "/aftersale.testing.v1.Echo/Say", #"{"repeat":"many"}"#], "EchoRequest.repeat"),
        (["proto", "encode", "aftersale.common.v1.Money", #"{"currency":1}"#], "Money.currency: expected a string, found a number"),
        (["proto", "decode", "aftersale.common.v1.Money", "zz"], "'zz' is not hex"),
        (["proto", "decode", "aftersale.common.v1.Money", "0a05"], "cannot decode aftersale.common.v1.Money"),
    ])
    func badInputDataExitsSixtyFive(_ arguments: [String], _ message: String) async throws {
        let result = try await runAfterSale(arguments)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains(message) && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test func aMissingInputFileExitsSixtySixAndAnExistingOneIsRead() async throws {
        let missing = try await runAfterSale(["call", "unix:///tmp/x.sock", "/aftersale.testing.v1.Echo/Say", "@/nonexistent/request.json"])
        #expect(missing.status == 66)
        #expect(missing.stderr == "aftersale: cannot read /nonexistent/request.json: no such file\n")

        let directory = try TemporaryDirectory("cli-input")
        defer { directory.remove() }
        let file = directory.file("money.json")
        try Data(#"{"currency":"EUR","minorUnits":"1999"}"#.utf8).write(to: URL(fileURLWithPath: file))
        let encoded = try await runAfterSale(["proto", "encode", "aftersale.common.v1.Money", "@\(file)"])
        #expect(encoded.status == 0 && encoded.stdout == "0a0345555210cf0f\n", "\(encoded.stderr)")
    }

    @Test func anUnreachableServerIsOnePlainLineAndSixtyNine() async throws {
        let directory = try TemporaryDirectory("cli-unreachable")
        defer { directory.remove() }
        let socket = "unix://\(directory.file("none.sock"))"
        for arguments in [["call", socket, "/aftersale.testing.v1.Echo/Say", "{}", "--timeout", "2s"], ["health", socket, "--timeout", "2s"],
                          ["list", socket], ["describe", socket, "aftersale.testing.v1.Echo.Say"]] {
            let result = try await runAfterSale(arguments)
            #expect(result.status == 69, "\(arguments): \(result.stderr)")
            #expect(result.stderr == "aftersale: cannot connect to \(socket): no such file or directory\n", "\(arguments)")
        }

        // A TCP port nobody listens on: refused, not a status dump.
        let port = try Self.closedPort()
        let refused = try await runCall("tcp://127.0.0.1:\(port)", "/aftersale.testing.v1.Echo/Say")
        #expect(refused.status == 69)
        #expect(refused.stderr == "aftersale: cannot connect to tcp://127.0.0.1:\(port): connection refused\n", "\(refused.stderr)")

        // A workflow command reports it the same way.
        let seed = try await runAfterSale(["seed", "--product-addr", socket, "--customer-addr", socket, "--order-addr", socket,
                                           "--timeout", "2s"])
        #expect(seed.status == 69 && seed.stderr == "aftersale: cannot connect to \(socket): no such file or directory\n", "\(seed.stderr)")
    }

    @Test func aServerThatAnswersUnavailableKeepsFourteen() async throws {
        let live = try await LiveServer.start(.unix)
        defer { Task { await live.stop() } }
        let result = try await runCall(live.endpoint.description, "/aftersale.testing.v1.Echo/Say", #"{"failCode":14}"#)
        #expect(result.status == 14 && result.stderr == "aftersale: UNAVAILABLE: asked to fail\n")
    }

    @Test func aHealthAnswerOtherThanServingIsSixtyNine() async throws {
        let live = try await LiveServer.start(.unix)
        defer { Task { await live.stop() } }
        let address = live.endpoint.description
        let serving = try await runAfterSale(["health", address, "aftersale.testing.v1.Echo"])
        #expect(serving.status == 0 && serving.stdout == "SERVING\n")
        live.server.health.set("aftersale.testing.v1.Echo", .notServing)
        let draining = try await runAfterSale(["health", address, "aftersale.testing.v1.Echo"])
        #expect(draining.status == 69 && draining.stdout == "NOT_SERVING\n", "\(draining.stdout)\(draining.stderr)")
    }

    @Test func anUnwritableDirectoryExitsSeventyThree() async throws {
        let result = try await runAfterSale(["up", "--dir", "/proc/aftersale-cannot-exist", "--no-seed"])
        #expect(result.status == 73, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("aftersale: cannot prepare /proc/aftersale-cannot-exist"), "\(result.stderr)")
    }

    @Test func aServiceWithoutTokenKeysExitsSeventyEight() async throws {
        let directory = try TemporaryDirectory("cli-config")
        defer { directory.remove() }
        let result = try await runAfterSale(["serve", "product", "--listen", "unix://\(directory.file("p.sock"))", "--data", directory.path],
                                            unsetting: ["AFTERSALE_TOKEN_KEYS", "AFTERSALE_TOKEN_KEYS_FILE", "AFTERSALE_INSECURE_NO_AUTH"])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test func helpIsZeroAndTheTopLevelHelpDocumentsTheTable() async throws {
        let help = try await runAfterSale(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("64 usage error") && help.stdout.contains("69 cannot connect"), "\(help.stdout)")
    }

    /// A loopback port that was free a moment ago: bound, read, closed.
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
