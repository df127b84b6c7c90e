import Foundation

/// Draws a ``Chart`` as a standalone SVG document, by hand (no dependency): title and subtitle, a y axis with
/// round ticks and light gridlines, bars (grouped when there are several series) or lines with point markers,
/// category labels (rotated when they would collide), a legend when there is more than one series, and each
/// bar/point carrying a `<title>` tooltip with its exact value. Colours are the Okabe–Ito palette, which stays
/// distinguishable for colour-blind readers. All text is XML-escaped.
enum SVGChartRenderer {
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#7F7F7F", "#000000"]
    static let font = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

    static func render(_ chart: Chart) -> String {
        let layout = Layout(chart)
        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(layout.width)" height="\(layout.height)" viewBox="0 0 \(layout.width) \(layout.height)" role="img" aria-label="\(escape(chart.title))" font-family="\(escape(font))">

            """
        svg += "<title>\(escape(chart.title))</title>\n"
        svg += "<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(layout.width)\" height=\"\(layout.height)\" fill=\"#ffffff\"/>\n"
        svg += text(chart.title, x: 24, y: 30, size: 18, weight: "600", anchor: "start", fill: "#1a1a1a", className: "chart-title")
        if !chart.subtitle.isEmpty {
            svg += text(chart.subtitle, x: 24, y: 50, size: 12, anchor: "start", fill: "#555555", className: "chart-subtitle")
        }
        if chart.series.count > 1 { svg += legend(chart, layout) }
        let plotted = chart.series.contains { $0.values.contains { $0 != nil } }
        guard plotted else {
            svg += axes(layout, scale: NiceScale(minimum: 0, maximum: 1), chart: chart)
            svg += text("No data in this range", x: layout.plotLeft + layout.plotWidth / 2, y: layout.plotTop + layout.plotHeight / 2,
                        size: 14, anchor: "middle", fill: "#777777", className: "no-data")
            return svg + "</svg>\n"
        }
        let values = chart.series.flatMap { $0.values.compactMap { $0 } }
        let scale = NiceScale(minimum: min(0, values.min() ?? 0), maximum: max(0, values.max() ?? 0))
        svg += axes(layout, scale: scale, chart: chart)
        svg += chart.style == .bar ? bars(chart, layout, scale) : lines(chart, layout, scale)
        if !chart.footnote.isEmpty {
            svg += text(chart.footnote, x: 24, y: Double(layout.height) - 10, size: 11, anchor: "start", fill: "#777777", className: "footnote")
        }
        return svg + "</svg>\n"
    }

    // MARK: layout

    struct Layout {
        let width: Int
        let height: Int
        let plotLeft: Double
        let plotTop: Double
        let plotWidth: Double
        let plotHeight: Double
        let rotateLabels: Bool
        let labelEvery: Int

        init(_ chart: Chart) {
            let count = max(chart.categories.count, 1)
            let seriesCount = max(chart.series.count, 1)
            let longest = chart.categories.map(\.count).max() ?? 0
            if chart.style == .bar {
                let group = Double(max(40, seriesCount * 18 + 20))
                width = Int(min(1400, max(640, 96 + Double(count) * group)))
            } else {
                width = 860
            }
            let slot = Double(width - 96) / Double(count)
            labelEvery = chart.style == .line ? max(1, Int((Double(count) / 12).rounded(.up))) : 1
            rotateLabels = Double(min(longest, 24)) * 7 > slot * Double(labelEvery) - 6
            let legendHeight: Double = seriesCount > 1 ? 24 : 0
            plotLeft = 72
            plotTop = 72 + legendHeight
            let bottom: Double = (rotateLabels ? 110 : 62) + (chart.footnote.isEmpty ? 0 : 16)
            height = Int(plotTop + 280 + bottom)
            plotWidth = Double(width) - plotLeft - 24
            plotHeight = 280
        }

        func y(_ value: Double, _ scale: NiceScale) -> Double {
            plotTop + plotHeight - (value - scale.lower) / (scale.upper - scale.lower) * plotHeight
        }

        func slotWidth(_ count: Int) -> Double { plotWidth / Double(max(count, 1)) }
    }

    // MARK: parts

    private static func axes(_ layout: Layout, scale: NiceScale, chart: Chart) -> String {
        var svg = "<g class=\"y-axis\" font-size=\"11\" fill=\"#555555\">\n"
        for tick in scale.ticks {
            let position = layout.y(tick, scale)
            let y = round1(position)
            svg += "<line class=\"gridline\" x1=\"\(round1(layout.plotLeft))\" y1=\"\(y)\" x2=\"\(round1(layout.plotLeft + layout.plotWidth))\" y2=\"\(y)\" stroke=\"#e5e5e5\" stroke-width=\"1\"/>\n"
            svg += "<text class=\"tick-label\" x=\"\(round1(layout.plotLeft - 8))\" y=\"\(round1(position + 4))\" text-anchor=\"end\">\(escape(scale.label(tick)))</text>\n"
        }
        svg += "</g>\n"
        let yTitleX = 18.0, yTitleY = layout.plotTop + layout.plotHeight / 2
        svg += "<text class=\"axis-title\" x=\"\(yTitleX)\" y=\"\(round1(yTitleY))\" font-size=\"12\" fill=\"#333333\" text-anchor=\"middle\" transform=\"rotate(-90 \(yTitleX) \(round1(yTitleY)))\">\(escape(chart.yTitle))</text>\n"
        let baseline = round1(layout.y(max(scale.lower, min(0, scale.upper)), scale))
        svg += "<line class=\"x-axis\" x1=\"\(round1(layout.plotLeft))\" y1=\"\(baseline)\" x2=\"\(round1(layout.plotLeft + layout.plotWidth))\" y2=\"\(baseline)\" stroke=\"#333333\" stroke-width=\"1\"/>\n"
        svg += "<line class=\"y-axis-line\" x1=\"\(round1(layout.plotLeft))\" y1=\"\(round1(layout.plotTop))\" x2=\"\(round1(layout.plotLeft))\" y2=\"\(round1(layout.plotTop + layout.plotHeight))\" stroke=\"#333333\" stroke-width=\"1\"/>\n"
        svg += "<g class=\"x-labels\" font-size=\"11\" fill=\"#333333\">\n"
        let slot = layout.slotWidth(chart.categories.count)
        let labelY = layout.plotTop + layout.plotHeight + 16
        for (index, category) in chart.categories.enumerated() where index % layout.labelEvery == 0 {
            let x = round1(layout.plotLeft + slot * (Double(index) + 0.5))
            let label = escape(truncate(category, 24))
            if layout.rotateLabels {
                svg += "<text class=\"x-label\" x=\"\(x)\" y=\"\(round1(labelY))\" text-anchor=\"end\" transform=\"rotate(-35 \(x) \(round1(labelY)))\">\(label)</text>\n"
            } else {
                svg += "<text class=\"x-label\" x=\"\(x)\" y=\"\(round1(labelY))\" text-anchor=\"middle\">\(label)</text>\n"
            }
        }
        svg += "</g>\n"
        if !chart.xTitle.isEmpty {
            let y = Double(layout.height) - (chart.footnote.isEmpty ? 12 : 28)
            svg += text(chart.xTitle, x: layout.plotLeft + layout.plotWidth / 2, y: y, size: 12, anchor: "middle", fill: "#333333", className: "axis-title")
        }
        return svg
    }

    private static func bars(_ chart: Chart, _ layout: Layout, _ scale: NiceScale) -> String {
        let slot = layout.slotWidth(chart.categories.count)
        let groupWidth = slot * 0.75
        let barWidth = groupWidth / Double(max(chart.series.count, 1))
        let showValues = chart.categories.count * chart.series.count <= 24
        let zero = layout.y(max(scale.lower, min(0, scale.upper)), scale)
        var svg = "<g class=\"bars\">\n"
        for (seriesIndex, series) in chart.series.enumerated() {
            let colour = palette[seriesIndex % palette.count]
            for (index, value) in series.values.enumerated() {
                guard let value else { continue }
                let x = layout.plotLeft + slot * Double(index) + (slot - groupWidth) / 2 + barWidth * Double(seriesIndex)
                let top = min(layout.y(value, scale), zero)
                let height = max(abs(layout.y(value, scale) - zero), value == 0 ? 0 : 1)
                let tip = "\(series.name.isEmpty ? "" : series.name + ", ")\(chart.categories[index]): \(format(value))"
                svg += "<rect class=\"bar\" data-series=\"\(escape(series.name))\" data-category=\"\(escape(chart.categories[index]))\" x=\"\(round1(x + 1))\" y=\"\(round1(top))\" width=\"\(round1(max(barWidth - 2, 1)))\" height=\"\(round1(height))\" fill=\"\(colour)\" rx=\"2\"><title>\(escape(tip))</title></rect>\n"
                if showValues {
                    let labelY = value >= 0 ? top - 5 : top + height + 13
                    svg += "<text class=\"value-label\" x=\"\(round1(x + barWidth / 2))\" y=\"\(round1(labelY))\" font-size=\"10\" fill=\"#333333\" text-anchor=\"middle\">\(escape(format(value)))</text>\n"
                }
            }
        }
        return svg + "</g>\n"
    }

    private static func lines(_ chart: Chart, _ layout: Layout, _ scale: NiceScale) -> String {
        let slot = layout.slotWidth(chart.categories.count)
        var svg = "<g class=\"lines\">\n"
        for (seriesIndex, series) in chart.series.enumerated() {
            let colour = palette[seriesIndex % palette.count]
            var segments: [[(Double, Double)]] = [[]]
            for (index, value) in series.values.enumerated() {
                guard let value else {
                    if !(segments.last?.isEmpty ?? true) { segments.append([]) }
                    continue
                }
                segments[segments.count - 1].append((layout.plotLeft + slot * (Double(index) + 0.5), layout.y(value, scale)))
            }
            for segment in segments where segment.count > 1 {
                let points = segment.map { "\(round1($0.0)),\(round1($0.1))" }.joined(separator: " ")
                svg += "<polyline class=\"series-line\" data-series=\"\(escape(series.name))\" points=\"\(points)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>\n"
            }
            for (index, value) in series.values.enumerated() {
                guard let value else { continue }
                let x = layout.plotLeft + slot * (Double(index) + 0.5)
                let tip = "\(series.name.isEmpty ? "" : series.name + ", ")\(chart.categories[index]): \(format(value))"
                svg += "<circle class=\"point\" data-series=\"\(escape(series.name))\" data-category=\"\(escape(chart.categories[index]))\" cx=\"\(round1(x))\" cy=\"\(round1(layout.y(value, scale)))\" r=\"3.5\" fill=\"#ffffff\" stroke=\"\(colour)\" stroke-width=\"2\"><title>\(escape(tip))</title></circle>\n"
            }
        }
        return svg + "</g>\n"
    }

    private static func legend(_ chart: Chart, _ layout: Layout) -> String {
        var svg = "<g class=\"legend\" font-size=\"12\" fill=\"#333333\">\n"
        var x = layout.plotLeft
        let y = 64.0
        for (index, series) in chart.series.enumerated() {
            let name = truncate(series.name, 28)
            svg += "<rect class=\"legend-swatch\" x=\"\(round1(x))\" y=\"\(round1(y - 10))\" width=\"12\" height=\"12\" rx=\"2\" fill=\"\(palette[index % palette.count])\"/>\n"
            svg += "<text class=\"legend-label\" x=\"\(round1(x + 17))\" y=\"\(round1(y))\">\(escape(name))</text>\n"
            x += 17 + Double(name.count) * 7 + 18
        }
        return svg + "</g>\n"
    }

    // MARK: text

    private static func text(_ value: String, x: Double, y: Double, size: Int, weight: String = "normal", anchor: String,
                             fill: String, className: String) -> String {
        "<text class=\"\(className)\" x=\"\(round1(x))\" y=\"\(round1(y))\" font-size=\"\(size)\" font-weight=\"\(weight)\" fill=\"\(fill)\" text-anchor=\"\(anchor)\">\(escape(value))</text>\n"
    }

    /// XML character data and attribute values: the five predefined entities, and no control characters (which
    /// XML 1.0 cannot carry at all).
    static func escape(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case _ where scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r": out += " "
            case "\u{FFFE}", "\u{FFFF}": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func truncate(_ value: String, _ length: Int) -> String {
        value.count <= length ? value : String(value.prefix(length - 1)) + "…"
    }

    /// A value label: up to two decimals, trailing zeros dropped.
    static func format(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.contains(".") && (text.hasSuffix("0") || text.hasSuffix(".")) { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    private static func round1(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
