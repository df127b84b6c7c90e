import Foundation
import RPCShared
import Testing
@testable import ReportingService

/// The example charts in docs/images are rendered from the March fixture; this test keeps them in step with the
/// renderer. `AFTERSALE_WRITE_DOC_IMAGES=1 swift test --filter DocumentationImageTests` rewrites them.
@Suite struct DocumentationImageTests {
    static let images: [(file: String, request: ReportingV1.GetReportRequest)] = [
        ("reporting-return-rate.svg", .init(kind: .returnRate, range: March.month, groupBy: [.product], format: .svg)),
        ("reporting-refund-totals.svg", .init(kind: .refundTotals, range: March.month, format: .svg)),
        ("reporting-resolution-time.svg", .init(kind: .resolutionTime, range: March.month, format: .svg)),
    ]

    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/images")
    }

    @Test func committedExampleChartsMatchTheRenderer() async throws {
        let fixture = try ReportingFixture()
        defer { fixture.directory.remove() }
        try await fixture.ingest(March.all)
        let write = ProcessInfo.processInfo.environment["AFTERSALE_WRITE_DOC_IMAGES"] == "1"
        for (file, request) in Self.images {
            let spec = try ReportSpec(request)
            let table = try await fixture.database.read { db in try ReportQuery.table(db, spec, now: March.now.epochMicros) }
            let report = ReportRenderer.report(spec, table: table, generatedAt: March.now, dataAsOf: nil)
            let svg = String(decoding: report.content, as: UTF8.self)
            let (_, ok, error) = SVGSummary.parse(svg)
            #expect(ok, "\(file): \(error)")
            let url = Self.directory.appendingPathComponent(file)
            if write {
                try svg.write(to: url, atomically: true, encoding: .utf8)
            } else {
                let committed = try? String(contentsOf: url, encoding: .utf8)
                #expect(committed == svg, "\(file) is out of date: AFTERSALE_WRITE_DOC_IMAGES=1 swift test --filter DocumentationImageTests")
            }
        }
    }
}
