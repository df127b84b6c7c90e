import AfterSaleTestSupport
import Foundation
import RPCShared
import Testing
@testable import ReportingService

/// The real `aftersale serve reporting` process, called through the client and the `aftersale report` CLI.
@Suite struct ReportingProcessTests {
    static func cli(_ arguments: [String], stdin: String? = nil) async throws -> CLIResult {
        try await runAfterSale(arguments, stdin: stdin)
    }

    @Test func servedProcessIngestsAndReportsThroughTheCLI() async throws {
        let directory = try TemporaryDirectory("reporting-process")
        defer { directory.remove() }
        let socket = temporarySocketPath()
        let server = try await ServiceProcess.start(["serve", "reporting", "--listen", "unix://\(socket)", "--data", directory.path])
        defer { Task { await server.stop() } }
        let address = server.address

        // Events through the CLI, as JSON on stdin, without an idempotency key.
        let request = ReportingV1.IngestEventsRequest(events: March.all).jsonString(pretty: false)
        let ingest = try await Self.cli(["report", "ingest", "--addr", address, "-"], stdin: request)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stdout.contains("\"accepted\": \(March.all.count)"))
        let again = try await Self.cli(["report", "ingest", "--addr", address, "-"], stdin: request)
        #expect(again.stdout.contains("\"duplicates\": \(March.all.count)") && !again.stdout.contains("\"accepted\""))

        let csv = try await Self.cli(["report", "get", "return-rate", "--addr", address, "--format", "csv",
                                      "--from", "2024-03-01", "--to", "2024-04-01", "--group-by", "category"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout == "category_id,units_sold,units_returned,return_rate_bp\r\ncat-shoes,20,5,2500\r\ncat-home,6,1,1667\r\ncat-apparel,4,0,0\r\n")

        let chart = directory.file("chart.svg")
        let svg = try await Self.cli(["report", "get", "refund_totals", "--addr", address, "--format", "svg", "--out", chart,
                                      "--from", "2024-03-01", "--to", "2024-04-01"])
        #expect(svg.status == 0, "\(svg.stderr)")
        #expect(svg.stdout.contains("image/svg+xml to \(chart)"))
        let (summary, ok, _) = SVGSummary.parse(try String(contentsOfFile: chart, encoding: .utf8))
        #expect(ok && summary.points.count == 10 && summary.classes["legend-label"] == 2)   // 5 days × 2 currencies, zeros included

        let dashboard = try await Self.cli(["report", "dashboard", "--addr", address, "--from", "2024-03-01", "--to", "2024-04-01"])
        #expect(dashboard.status == 0, "\(dashboard.stderr)")
        let parsed = try ReportingV1.Dashboard(jsonString: dashboard.stdout)
        #expect(parsed.unitsSold == 30 && parsed.returnRateBp == 2000 && parsed.slaBreaches.count == 4)

        // Mistakes are one clear line with the status as exit code.
        let unknownKind = try await Self.cli(["report", "get", "returns", "--addr", address])
        #expect(unknownKind.status != 0 && unknownKind.stderr.contains("unknown report kind 'returns'; one of: return-rate"))
        let badGroup = try await Self.cli(["report", "get", "refund-totals", "--addr", address, "--group-by", "day"])
        #expect(badGroup.status == 3, "\(badGroup.stderr)")
        #expect(badGroup.stderr.contains("must include REPORT_DIMENSION_CURRENCY"))
        #expect(badGroup.stderr.split(separator: "\n").count == 1)

        // The data outlives the process.
        await server.stop()
        let restarted = try await ServiceProcess.start(["serve", "reporting", "--listen", "unix://\(socket)", "--data", directory.path])
        defer { Task { await restarted.stop() } }
        let after = try await Self.cli(["report", "get", "return-rate", "--addr", restarted.address, "--format", "csv",
                                        "--from", "2024-03-01", "--to", "2024-04-01", "--group-by", "category"])
        #expect(after.stdout == csv.stdout)
    }
}
