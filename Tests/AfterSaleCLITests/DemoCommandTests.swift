import AfterSaleTestSupport
import Foundation
import Testing

/// `aftersale demo` against the real system: `aftersale up` (five services, the gateway, demo data), then the demo
/// as a user runs it — twice, because a rerun on the same data must find units to return again.
@Suite struct DemoCommandTests {
    /// The demo must find its keys and sockets through --dir, as after `aftersale up --dir`, not through variables
    /// the test process may have.
    static let unset = ["AFTERSALE_TOKEN_KEYS", "AFTERSALE_TOKEN_KEYS_FILE", "AFTERSALE_GATEWAY_ADDR", "AFTERSALE_ORDER_ADDR"]

    @Test func drivesReturnExchangeAndRepairThroughTheGatewayAndRunsAgain() async throws {
        let directory = try TemporaryDirectory("demo")
        defer { directory.remove() }
        let up = try UpProcess(directory: directory.path, environment: [:])
        defer { if up.process.isRunning { kill(up.process.processIdentifier, SIGKILL) } }
        try await up.waitFor("startup and seeding", timeout: .seconds(120)) { $0.contains("development token (role agent") }
        #expect(up.text.contains("gateway    SERVING on unix://"), "\(up.text)")
        #expect(up.text.contains("demo data: loaded"), "\(up.text)")

        for run in 1...2 {
            let demo = try await runAfterSale(["demo", "--dir", directory.path], unsetting: Self.unset)
            #expect(demo.status == 0, "run \(run): \(demo.stderr)\n\(demo.stdout)")
            #expect(demo.stderr.isEmpty, "run \(run): \(demo.stderr)")
            let out = demo.stdout
            #expect(out.contains("(a) return → refund: RESOLVED"), "run \(run):\n\(out)")
            #expect(out.contains("(b) exchange for a dearer item: RESOLVED"), "run \(run):\n\(out)")
            #expect(out.contains("(c) warranty repair: RESOLVED"), "run \(run):\n\(out)")
            // Each role acts with its own token; the exchange is held until the payment is recorded.
            #expect(out.contains("→ customer cus_"))
            #expect(out.contains("→ agent demo-agent: approves the case"))
            #expect(out.contains("→ warehouse demo-warehouse: receives 1 unit(s)"))
            #expect(out.contains("the gateway answers FAILED_PRECONDITION PAYMENT_REQUIRED"), "run \(run):\n\(out)")
            #expect(out.contains("OrderService.RecordPayment"))
            // Timeline and settlement after every workflow, money in minor units written out exactly.
            #expect(out.components(separatedBy: "  timeline:").count - 1 == 3, "run \(run):\n\(out)")
            #expect(out.components(separatedBy: "  settlement:").count - 1 == 3, "run \(run):\n\(out)")
            #expect(out.contains("customer owes"))
            #expect(out.contains("→ RESOLVED"))
            #expect(out.contains(" EUR"))
        }

        kill(up.process.processIdentifier, SIGTERM)
        try await up.waitFor("the stop", timeout: .seconds(30)) { _ in !up.process.isRunning }
        #expect(up.process.terminationStatus == 0, "\(up.text)")
    }

    @Test func withoutARunningSystemItSaysSoInOneLine() async throws {
        let directory = try TemporaryDirectory("demo-nothing")
        defer { directory.remove() }

        // Keys (the test keys in AFTERSALE_TOKEN_KEYS) but no gateway: the first step cannot connect (69, not a status).
        let unreachable = try await runAfterSale(["demo", "--dir", directory.path],
                                                 unsetting: ["AFTERSALE_GATEWAY_ADDR", "AFTERSALE_ORDER_ADDR"])
        #expect(unreachable.status == 69, "\(unreachable.stderr)")
        #expect(unreachable.stderr.hasPrefix("aftersale demo: step 'customer cus_de_anna: opens a RETURN_REFUND case"),
                "\(unreachable.stderr)")
        #expect(unreachable.stderr.contains("failed: UNAVAILABLE"), "\(unreachable.stderr)")
        #expect(unreachable.stderr.split(separator: "\n").count == 1, "\(unreachable.stderr)")

        // No keys anywhere: the directory is not one `aftersale up` runs in.
        let noKeys = try await runAfterSale(["demo", "--dir", directory.path], unsetting: Self.unset)
        #expect(noKeys.status == 66, "no keys file: EX_NOINPUT")
        #expect(noKeys.stderr.contains("no token keys in \(directory.file("run/token.keys"))"), "\(noKeys.stderr)")
        #expect(noKeys.stderr.split(separator: "\n").count == 1, "\(noKeys.stderr)")
        #expect(noKeys.stdout.isEmpty)
    }
}
