import ArgumentParser
import Foundation
import RPCShared
import ReportingService
import ServiceRuntime

/// `aftersale serve reporting`.
struct ServeReportingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reporting", abstract: "ReportingService, events and reports.")
    @OptionGroup var options: ServeOptions

    func run() async throws {
        try await ReportingServiceApp.run(try options.settings("reporting"))
    }
}

/// `aftersale report …`: the reporting service's debugging client.
struct ReportingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Debugging client for ReportingService, events and reports.",
        subcommands: [ReportIngestCommand.self, ReportGetCommand.self, ReportDashboardCommand.self])
}

/// `aftersale report ingest EVENTS_JSON|-`.
struct ReportIngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Send events (an IngestEventsRequest as JSON, or - for stdin).",
        discussion: "No idempotency key is needed: events are de-duplicated by event_id.")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "IngestEventsRequest JSON, e.g. {\"events\": [...]}, or - for stdin.") var request: String

    func run() async throws {
        let request = try parseJSON(request, as: ReportingV1.IngestEventsRequest.self)
        try await client.run("reporting") { rpc in
            try await ReportingV1.ReportingService.Client(transport: rpc).ingestEvents(request, options: client.callOptions())
        }
    }
}

/// `aftersale report get KIND [--format] [--out] [--from] [--to] [--group-by] …`.
struct ReportGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Compute a report and print (or --out write) it as JSON, CSV or an SVG chart.",
        discussion: "KIND: return-rate, refund-totals, resolution-time, sla-breaches, feedback-trend, top-issues, case-volume.")
    @OptionGroup var client: ServiceClientOptions
    @Argument(help: "The report kind.") var kind: String
    @Option(help: "json (default), csv or svg.") var format: String = "json"
    @Option(help: "Write the rendered content to this file instead of standard output.") var out: String?
    @Option(help: "Range start: YYYY-MM-DD or RFC 3339 (default: 30 days before --to).") var from: String?
    @Option(help: "Range end, exclusive: YYYY-MM-DD or RFC 3339 (default: now).") var to: String?
    @Option(name: .customLong("group-by"), help: "Comma-separated dimensions, e.g. product,week (default: the report's).")
    var groupBy: String?
    @Option(help: "Only this market (ISO 3166-1 alpha-2).") var market: String = ""
    @Option(help: "Only this currency.") var currency: String = ""
    @Option(help: "Only this category id.") var category: String = ""
    @Option(help: "Only this product id.") var product: String = ""
    @Option(help: "Keep the first N rows.") var limit: Int32 = 0
    @Flag(help: "Print the whole Report message as JSON (typed table, notes) instead of the rendered content.")
    var message = false

    func run() async throws {
        var request = ReportingV1.GetReportRequest(kind: try ReportCLI.enumValue(kind, prefix: "REPORT_KIND_", what: "report kind"),
                                                   range: try ReportCLI.range(from: from, to: to), market: market,
                                                   currency: currency, categoryID: category, productID: product, limit: limit)
        request.format = try ReportCLI.enumValue(format, prefix: "REPORT_FORMAT_", what: "format")
        request.groupBy = try (groupBy ?? "").split(separator: ",").map {
            try ReportCLI.enumValue(String($0), prefix: "REPORT_DIMENSION_", what: "dimension")
        }
        let client = try client.client("reporting")
        defer { Task { await client.close() } }
        let report: ReportingV1.Report
        do {
            report = try await ReportingV1.ReportingService.Client(transport: client).getReport(request, options: self.client.callOptions())
        } catch let error as RPCError {
            throw CLIFailure(error)
        }
        if let out {
            do { try Data(report.content).write(to: URL(fileURLWithPath: out)) } catch {
                throw CLIError("cannot write \(out): \(error.localizedDescription)", status: .cannotCreate)
            }
            print("wrote \(report.content.count) bytes of \(report.contentType) to \(out) (\(report.title), \(report.table?.rows.count ?? 0) rows)")
        } else if message {
            print(report.jsonString(pretty: true))
        } else {
            FileHandle.standardOutput.write(Data(report.content))
        }
    }
}

/// `aftersale report dashboard [--from] [--to] [--market] [--granularity]`.
struct ReportDashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dashboard", abstract: "The after-sale dashboard as JSON.")
    @OptionGroup var client: ServiceClientOptions
    @Option(help: "Range start: YYYY-MM-DD or RFC 3339 (default: the last 30 days).") var from: String?
    @Option(help: "Range end, exclusive (default: now).") var to: String?
    @Option(help: "Only this market.") var market: String = ""
    @Option(help: "Feedback trend granularity: day (default), week or month.") var granularity: String = "day"

    func run() async throws {
        var request = ReportingV1.GetDashboardRequest(market: market)
        if from != nil || to != nil { request.range = try ReportCLI.range(from: from, to: to) }
        request.trendGranularity = try ReportCLI.enumValue(granularity, prefix: "TIME_GRANULARITY_", what: "granularity")
        try await client.run("reporting") { rpc in
            try await ReportingV1.ReportingService.Client(transport: rpc).getDashboard(request, options: client.callOptions())
        }
    }
}

enum ReportCLI {
    /// `return-rate`, `RETURN_RATE` or `REPORT_KIND_RETURN_RATE` → the enum value.
    static func enumValue<E: ProtoEnum>(_ text: String, prefix: String, what: String) throws -> E {
        let name = text.trimmingCharacters(in: .whitespaces).uppercased().replacingOccurrences(of: "-", with: "_")
        if let value = E(protoName: name.hasPrefix(prefix) ? name : prefix + name), value.rawValue != 0 { return value }
        let choices = E.allCases.compactMap(\.protoName).filter { !$0.hasSuffix("_UNSPECIFIED") }
            .map { $0.dropFirst(prefix.count).lowercased().replacingOccurrences(of: "_", with: "-") }
        throw CLIError("unknown \(what) '\(text)'; one of: \(choices.joined(separator: ", "))")
    }

    /// [from, to): dates are UTC midnights; defaults are the last 30 days up to now.
    static func range(from: String?, to: String?) throws -> ReportingV1.TimeRange {
        let end = try to.map { try instant($0, "--to") } ?? Date()
        let start = try from.map { try instant($0, "--from") } ?? end.addingTimeInterval(-30 * 86_400)
        return ReportingV1.TimeRange(start: CommonV1.Timestamp(start), end: CommonV1.Timestamp(end))
    }

    static func instant(_ text: String, _ option: String) throws -> Date {
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        day.timeZone = TimeZone(secondsFromGMT: 0)
        if let date = day.date(from: text) { return date }
        throw CLIError("\(option) '\(text)' is not a date (YYYY-MM-DD) or an RFC 3339 instant")
    }
}
