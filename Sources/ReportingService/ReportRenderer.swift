import Foundation
import RPCShared
import ServiceRuntime

/// Turns a computed table into a `Report`: title, notes and the content in the requested format.
enum ReportRenderer {
    static func report(_ spec: ReportSpec, table: ReportingV1.Table, generatedAt: Date, dataAsOf: Int64?) -> ReportingV1.Report {
        let title = ReportCatalog.title(spec.definition, spec.dimensions)
        let range = ReportingV1.TimeRange(start: CommonV1.Timestamp(epochMicros: spec.start), end: CommonV1.Timestamp(epochMicros: spec.end))
        var notes = spec.definition.notes
        notes.append("range [\(TableRenderer.rfc3339(CommonV1.Timestamp(epochMicros: spec.start))), \(TableRenderer.rfc3339(CommonV1.Timestamp(epochMicros: spec.end)))), UTC")
        let filters = [("market", spec.filters.market), ("currency", spec.filters.currency),
                       ("category_id", spec.filters.categoryID), ("product_id", spec.filters.productID)]
            .filter { !$0.1.isEmpty }.map { "\($0.0) = \($0.1)" }
        if !filters.isEmpty { notes.append("filtered by " + filters.joined(separator: ", ")) }
        if spec.limit > 0 { notes.append("first \(spec.limit) rows") }
        if spec.format == .svg { notes.append("chart: \(spec.definition.chart.measures.joined(separator: ", "))") }
        let (content, contentType) = render(spec, table: table, title: title, range: range)
        return ReportingV1.Report(kind: spec.definition.kind, title: title, range: range, groupBy: spec.dimensions, table: table,
                                  format: spec.format, content: Array(content.utf8), contentType: contentType,
                                  generatedAt: CommonV1.Timestamp(generatedAt),
                                  dataAsOf: dataAsOf.map { CommonV1.Timestamp(epochMicros: $0) }, notes: notes)
    }

    static func render(_ spec: ReportSpec, table: ReportingV1.Table, title: String,
                       range: ReportingV1.TimeRange) -> (String, String) {
        switch spec.format {
        case .csv:
            return (TableRenderer.csv(table), "text/csv; charset=utf-8")
        case .svg:
            let start = range.start.map { ReportPeriod.day.label($0.epochMicros) } ?? ""
            let lastDay = range.end.map { ReportPeriod.day.label(max($0.epochMicros - 1, 0)) } ?? ""
            var subtitle = start == lastDay ? start : "\(start) – \(lastDay) (UTC)"
            if !spec.filters.market.isEmpty { subtitle += " · market \(spec.filters.market)" }
            if !spec.filters.currency.isEmpty { subtitle += " · \(spec.filters.currency)" }
            let chart = Chart(table: table, dimensions: spec.dimensions, spec: spec.definition.chart, title: title, subtitle: subtitle)
            return (SVGChartRenderer.render(chart), "image/svg+xml")
        default:
            return (TableRenderer.json(table, title: title), "application/json")
        }
    }
}
