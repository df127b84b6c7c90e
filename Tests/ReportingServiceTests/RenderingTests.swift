import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import RPCShared
import Testing
@testable import ReportingService

/// What an SVG document holds, read back with Foundation's XMLParser (which fails on malformed XML).
final class SVGSummary: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    var classes: [String: Int] = [:]
    var texts: [String] = []
    var bars: [(category: String, series: String, height: Double)] = []
    var points: [(category: String, series: String)] = []
    var root: [String: String] = [:]
    private var text = ""

    static func parse(_ svg: String) -> (SVGSummary, Bool, String) {
        let parser = XMLParser(data: Data(svg.utf8))
        let summary = SVGSummary()
        parser.delegate = summary
        let ok = parser.parse()
        return (summary, ok, parser.parserError.map { "\($0)" } ?? "")
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if elements.isEmpty { root = attributes }
        elements[name, default: 0] += 1
        if let className = attributes["class"] { classes[className, default: 0] += 1 }
        if attributes["class"] == "bar" {
            bars.append((attributes["data-category"] ?? "", attributes["data-series"] ?? "", Double(attributes["height"] ?? "") ?? -1))
        }
        if attributes["class"] == "point" { points.append((attributes["data-category"] ?? "", attributes["data-series"] ?? "")) }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.append(text) }
        text = ""
    }
}

@Suite struct RenderingTests {
    static let table = ReportingV1.Table(
        columns: [.init(name: "product_id", label: "Product", kind: .string),
                  .init(name: "units_sold", label: "Units sold", kind: .integer, unit: "units"),
                  .init(name: "amount", label: "Amount", kind: .money),
                  .init(name: "average_rating", label: "Average", kind: .number),
                  .init(name: "day", label: "Day", kind: .timestamp)],
        rows: [.init(cells: [.string("shoe, \"red\""), .integer(20), .init(value: .moneyValue(.init(currency: "EUR", minorUnits: 2550))),
                             .init(value: .numberValue(2.75)), .init(value: .timestampValue(ts("2024-03-04T00:00:00Z")))]),
               .init(cells: [.string("multi\nline"), .integer(-3), .init(), .init(value: .numberValue(1.0 / 3.0)), .init()])])

    @Test func csvFollowsRFC4180() {
        let csv = TableRenderer.csv(Self.table)
        #expect(csv == "product_id,units_sold,amount,average_rating,day\r\n"
                + "\"shoe, \"\"red\"\"\",20,25.50 EUR,2.75,2024-03-04T00:00:00Z\r\n"
                + "\"multi\nline\",-3,,0.3333,\r\n")
    }

    @Test func jsonIsTheTableAsColumnsAndRows() throws {
        let json = TableRenderer.json(Self.table, title: "A \"quoted\" title")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["title"] as? String == "A \"quoted\" title")
        let columns = try #require(object["columns"] as? [[String: Any]])
        #expect(columns.map { $0["name"] as? String } == ["product_id", "units_sold", "amount", "average_rating", "day"])
        #expect(columns[1]["kind"] as? String == "INTEGER" && columns[1]["unit"] as? String == "units")
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows[0]["product_id"] as? String == "shoe, \"red\"")
        #expect(rows[0]["units_sold"] as? Int == 20)
        let amount = try #require(rows[0]["amount"] as? [String: Any])
        #expect(amount["currency"] as? String == "EUR" && amount["minor_units"] as? Int == 2550 && amount["amount"] as? String == "25.50")
        #expect(rows[0]["day"] as? String == "2024-03-04T00:00:00Z")
        #expect(rows[1]["amount"] is NSNull && rows[1]["product_id"] as? String == "multi\nline")
    }

    @Test func barChartIsWellFormedWithOneBarPerCategoryAndEscapedText() {
        let table = ReportingV1.Table(
            columns: [.init(name: "product_id", label: "Product", kind: .string), .init(name: "return_rate_bp", label: "Return rate", kind: .integer, unit: "bp")],
            rows: [.init(cells: [.string("p-shoe"), .integer(2500)]), .init(cells: [.string("<mug> & \"co\""), .integer(1667)]),
                   .init(cells: [.string("p-shirt"), .integer(0)]), .init(cells: [.string("p-none"), .init()])])
        let chart = Chart(table: table, dimensions: [.product], spec: ChartSpec(measures: ["return_rate_bp"], divisor: 100, axisTitle: "Return rate (%)"),
                          title: "Return rate by product & <more>", subtitle: "2024-03-01 – 2024-03-31 (UTC)")
        let svg = SVGChartRenderer.render(chart)
        let (summary, ok, error) = SVGSummary.parse(svg)
        #expect(ok, "\(error)\n\(svg)")
        #expect(summary.bars.map(\.category) == ["p-shoe", "<mug> & \"co\"", "p-shirt"])
        #expect(summary.bars[0].height > summary.bars[1].height && summary.bars[2].height == 0)
        #expect(summary.texts.contains("Return rate by product & <more>"))
        #expect(summary.texts.contains("Return rate (%)"))
        #expect(summary.texts.contains("25") && summary.texts.contains("16.67"))
        // Round ticks 0, 5, … 25 for a maximum of 25 %.
        #expect(["0", "5", "10", "15", "20", "25"].allSatisfy(summary.texts.contains))
        #expect(summary.classes["legend"] == nil)
        #expect(summary.root["width"].flatMap(Int.init).map { (640...1400).contains($0) } == true)
        #expect(svg.contains("&lt;mug&gt; &amp; &quot;co&quot;"))
    }

    @Test func lineChartOverTimeHasAPointPerValueALegendPerCurrencyAndGapsForMissingDays() {
        let table = ReportingV1.Table(
            columns: [.init(name: "currency", label: "Currency", kind: .string), .init(name: "day", label: "Day", kind: .timestamp),
                      .init(name: "refund_count", label: "Refunds", kind: .integer), .init(name: "amount", label: "Amount", kind: .money)],
            rows: [.init(cells: [.string("CNY"), .init(value: .timestampValue(ts("2024-03-01T00:00:00Z"))), .integer(1), .init(value: .moneyValue(.init(currency: "CNY", minorUnits: 19_900)))]),
                   .init(cells: [.string("CNY"), .init(value: .timestampValue(ts("2024-03-04T00:00:00Z"))), .integer(1), .init(value: .moneyValue(.init(currency: "CNY", minorUnits: 5_000)))]),
                   .init(cells: [.string("EUR"), .init(value: .timestampValue(ts("2024-03-02T00:00:00Z"))), .integer(1), .init(value: .moneyValue(.init(currency: "EUR", minorUnits: 2_550)))]),
                   .init(cells: [.string("EUR"), .init(value: .timestampValue(ts("2024-03-03T00:00:00Z"))), .integer(2), .init(value: .moneyValue(.init(currency: "EUR", minorUnits: 1_000)))])])
        let chart = Chart(table: table, dimensions: [.currency, .day], spec: ChartSpec(measures: ["amount"], axisTitle: "Amount"), title: "Refunds", subtitle: "")
        #expect(chart.style == .line)
        #expect(chart.categories == ["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04"])
        #expect(chart.series.map(\.name) == ["CNY", "EUR"])
        #expect(chart.series[0].values == [199, nil, nil, 50])
        let (summary, ok, error) = SVGSummary.parse(SVGChartRenderer.render(chart))
        #expect(ok, "\(error)")
        #expect(summary.points.count == 4)
        #expect(summary.points.filter { $0.series == "EUR" }.map(\.category) == ["2024-03-02", "2024-03-03"])
        #expect(summary.classes["series-line"] == 1)   // CNY's two points are not adjacent: no line through the gap
        // For sums, a day without refunds is a zero, not a gap.
        let summed = Chart(table: table, dimensions: [.currency, .day],
                           spec: ChartSpec(measures: ["amount"], axisTitle: "Amount", missingIsZero: true), title: "Refunds", subtitle: "")
        #expect(summed.series[0].values == [199, 0, 0, 50] && summed.series[1].values == [0, 25.5, 10, 0])
        #expect(summary.classes["legend-label"] == 2)
        #expect(summary.texts.contains("CNY") && summary.texts.contains("EUR"))
    }

    @Test func severalMeasuresBecomeGroupedBarsWithALegend() {
        let table = ReportingV1.Table(
            columns: [.init(name: "case_kind", label: "Case kind", kind: .string), .init(name: "p50_seconds", label: "p50", kind: .integer),
                      .init(name: "p90_seconds", label: "p90", kind: .integer)],
            rows: [.init(cells: [.string("RETURN_REFUND"), .integer(7200), .integer(36000)]),
                   .init(cells: [.string("REFUND_ONLY"), .integer(3600), .integer(18000)])])
        let chart = Chart(table: table, dimensions: [.caseKind], spec: ChartSpec(measures: ["p50_seconds", "p90_seconds"], divisor: 3600, axisTitle: "Hours"),
                          title: "Resolution time", subtitle: "")
        let (summary, ok, _) = SVGSummary.parse(SVGChartRenderer.render(chart))
        #expect(ok)
        #expect(summary.bars.map { "\($0.category)/\($0.series)" }
                == ["RETURN_REFUND/p50", "REFUND_ONLY/p50", "RETURN_REFUND/p90", "REFUND_ONLY/p90"])
        #expect(summary.classes["legend-label"] == 2)
    }

    @Test func anEmptyReportStillDrawsAValidChartThatSaysSo() {
        let chart = Chart(table: ReportingV1.Table(columns: [.init(name: "day", label: "Day", kind: .timestamp)]), dimensions: [.day],
                          spec: ChartSpec(measures: ["count"], axisTitle: "Feedback"), title: "Feedback trend", subtitle: "")
        let (summary, ok, _) = SVGSummary.parse(SVGChartRenderer.render(chart))
        #expect(ok)
        #expect(summary.texts.contains("No data in this range"))
        #expect(summary.bars.isEmpty && summary.points.isEmpty)
    }
}
