import AfterSaleTestSupport
import Foundation
import RPCShared
import Testing

/// The real system on one command: `aftersale up` with the five real services, demo data loaded by
/// `aftersale seed`, events flowing through the outboxes to reporting, sales to the catalogue — then a clean stop.
@Suite struct UpSystemTests {
    @Test func theWholeSystemComesUpSeedsAndStops() async throws {
        let directory = try TemporaryDirectory("up-system")
        defer { directory.remove() }
        let up = try UpProcess(directory: directory.path, environment: [:])
        defer { if up.process.isRunning { kill(up.process.processIdentifier, SIGKILL) } }

        try await up.waitFor("startup and seeding", timeout: .seconds(90)) { $0.contains("development token (role agent") }
        for name in ["reporting", "product", "customer", "order", "logistics"] {
            #expect(up.text.contains("\(name.padding(toLength: 10, withPad: " ", startingAt: 0)) SERVING on unix://"), "\(name)")
        }
        #expect(up.text.contains("demo data: loaded"), "\(up.text)")
        let seedLog = try String(contentsOfFile: directory.file("log/seed.log"), encoding: .utf8)
        #expect(seedLog.contains("customers: 12"))
        #expect(seedLog.contains("orders: 16, delivered"))

        let keys = ["AFTERSALE_TOKEN_KEYS_FILE": directory.file("run/token.keys")]
        // Seeding again finds everything in place (fixed ids and keys) and fails nothing.
        let again = try await runAfterSale(["seed", "--product-addr", "unix://\(directory.file("run/product.sock"))",
                                            "--customer-addr", "unix://\(directory.file("run/customer.sock"))",
                                            "--order-addr", "unix://\(directory.file("run/order.sock"))"],
                                           environment: keys, unsetting: ["AFTERSALE_TOKEN_KEYS"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("orders: 16, delivered"))

        // Sales reach ProductService and order events reach ReportingService asynchronously (pending calls, outbox).
        var soldInReports = false
        var soldInCatalogue = false
        for _ in 0..<100 where !(soldInReports && soldInCatalogue) {
            let dashboard = try await runAfterSale(["report", "dashboard", "--addr", "unix://\(directory.file("run/reporting.sock"))"],
                                                   environment: keys, unsetting: ["AFTERSALE_TOKEN_KEYS"])
            soldInReports = dashboard.status == 0 && dashboard.stdout.contains("\"unitsSold\"")
            let stats = try await runCall("unix://\(directory.file("run/product.sock"))", "aftersale.product.v1.ProductService.GetProductStats",
                                          #"{"productId":"prod_aster_x"}"#, environment: keys, unsetting: ["AFTERSALE_TOKEN_KEYS"])
            soldInCatalogue = stats.status == 0 && stats.stdout.contains("\"unitsSold\"")
            if !(soldInReports && soldInCatalogue) { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(soldInReports)
        #expect(soldInCatalogue)

        kill(up.process.processIdentifier, SIGTERM)
        try await up.waitFor("the stop", timeout: .seconds(30)) { _ in !up.process.isRunning }
        #expect(up.process.terminationStatus == 0, "\(up.text)")
        #expect(up.text.contains("all services stopped"))
    }

    @Test func helpIsHelpNotAnError() async throws {
        let help = try await runAfterSale(["call", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: aftersale call"))
    }
}
