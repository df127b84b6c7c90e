import Foundation
import RPCShared

/// What a chart shows, independent of how it is drawn: categories along x (in order), one or more series of
/// values (nil = no value), titles and units. Built from a report's table by ``Chart/init(table:dimensions:spec:title:subtitle:)``.
struct Chart: Sendable {
    enum Style: Sendable { case bar, line }

    struct Series: Sendable {
        var name: String
        var values: [Double?]
    }

    var title: String
    var subtitle: String
    var style: Style
    var xTitle: String
    var yTitle: String
    var categories: [String]
    var series: [Series]
    /// Said under the chart when something was left out (too many series or bars).
    var footnote: String = ""

    static let maxSeries = 8
    static let maxBars = 40
    static let maxPoints = 400

    init(title: String, subtitle: String, style: Style, xTitle: String, yTitle: String, categories: [String],
         series: [Series], footnote: String = "") {
        self.title = title
        self.subtitle = subtitle
        self.style = style
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.categories = categories
        self.series = series
        self.footnote = footnote
    }

    /// A line chart over time when the report is grouped by a period (every period between the first and the
    /// last is on the axis, so a gap reads as a gap), otherwise a bar chart over the first dimension. The other
    /// dimensions, and several measures, become series with a legend.
    init(table: ReportingV1.Table, dimensions: [ReportingV1.ReportDimension], spec: ChartSpec, title: String, subtitle: String) {
        let periodIndex = dimensions.firstIndex { ReportPeriod($0) != nil }
        let xIndex = periodIndex ?? 0
        let measureIndices = spec.measures.compactMap { name in table.columns.firstIndex { $0.name == name } }
        let otherDimensions = dimensions.indices.filter { $0 != xIndex }
        let xColumn = dimensions.isEmpty ? nil : table.columns[xIndex]
        self.title = title
        self.subtitle = subtitle
        xTitle = xColumn?.label ?? ""
        yTitle = spec.axisTitle
        style = periodIndex == nil ? .bar : .line

        var categoryKeys: [String] = []
        var categoryLabels: [String: String] = [:]
        if let periodIndex, let period = ReportPeriod(dimensions[periodIndex]) {
            let starts = table.rows.compactMap { row -> Int64? in
                if case .timestampValue(let timestamp)? = row.cells[periodIndex].value { return timestamp.epochMicros }
                return nil
            }
            if var current = starts.min(), let last = starts.max() {
                while current <= last && categoryKeys.count < Self.maxPoints {
                    categoryKeys.append(String(current))
                    categoryLabels[String(current)] = period.label(current)
                    current = period.next(after: current)
                }
            }
        }
        var seriesOrder: [String] = []
        var values: [String: [String: Double]] = [:]
        for row in table.rows {
            let key: String
            if periodIndex != nil, case .timestampValue(let timestamp)? = row.cells[xIndex].value {
                key = String(timestamp.epochMicros)
            } else {
                key = dimensions.isEmpty ? title : Self.label(row.cells[xIndex])
                if categoryLabels[key] == nil {
                    categoryKeys.append(key)
                    categoryLabels[key] = key
                }
            }
            let group = otherDimensions.map { Self.label(row.cells[$0]) }.joined(separator: " · ")
            for index in measureIndices {
                var name = group
                if measureIndices.count > 1 { name = group.isEmpty ? table.columns[index].label : "\(group) \(table.columns[index].label)" }
                if values[name] == nil { seriesOrder.append(name); values[name] = [:] }
                if let value = Self.number(row.cells[index], divisor: spec.divisor) { values[name]?[key] = value }
            }
        }
        var notes: [String] = []
        if seriesOrder.count > Self.maxSeries {
            notes.append("\(seriesOrder.count - Self.maxSeries) more series not shown")
            seriesOrder = Array(seriesOrder.prefix(Self.maxSeries))
        }
        if style == .bar && categoryKeys.count > Self.maxBars {
            notes.append("\(categoryKeys.count - Self.maxBars) more \(xTitle.lowercased()) values not shown")
            categoryKeys = Array(categoryKeys.prefix(Self.maxBars))
        }
        footnote = notes.joined(separator: "; ")
        categories = categoryKeys.map { categoryLabels[$0] ?? $0 }
        let fill: Double? = spec.missingIsZero && style == .line ? 0 : nil
        series = seriesOrder.map { name in Series(name: name, values: categoryKeys.map { values[name]?[$0] ?? fill }) }
    }

    private static func label(_ cell: ReportingV1.Cell) -> String {
        cell.value == nil ? "(none)" : TableRenderer.text(cell)
    }

    private static func number(_ cell: ReportingV1.Cell, divisor: Double) -> Double? {
        switch cell.value {
        case .integerValue(let value)?: Double(value) / divisor
        case .numberValue(let value)?: value.isFinite ? value / divisor : nil
        case .moneyValue(let money)?: CurrencyFormat.major(money)
        default: nil
        }
    }
}
