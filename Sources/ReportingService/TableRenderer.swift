import Foundation
import RPCShared
import ServiceRuntime

/// Renders a report's table as JSON or CSV (SVG is ``SVGChartRenderer``).
enum TableRenderer {
    /// RFC 4180: a header row of column names, CRLF line ends, fields with a comma, quote, CR or LF quoted with
    /// quotes doubled. Money is a decimal string with its currency ("12.34 EUR"), instants RFC 3339 UTC, null empty.
    static func csv(_ table: ReportingV1.Table) -> String {
        var lines = [table.columns.map { csvField($0.name) }.joined(separator: ",")]
        for row in table.rows {
            lines.append(row.cells.map { csvField(text($0)) }.joined(separator: ","))
        }
        return lines.map { $0 + "\r\n" }.joined()
    }

    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `{"title", "columns": [{name, label, kind, unit}], "rows": [{column name: value}]}`: integers as JSON
    /// numbers, money as `{"currency", "minor_units", "amount": "12.34"}`, instants as RFC 3339 strings, null as null.
    static func json(_ table: ReportingV1.Table, title: String) -> String {
        var out = "{\n  \"title\": \(jsonString(title)),\n  \"columns\": ["
        out += table.columns.map { column in
            "\n    {\"name\": \(jsonString(column.name)), \"label\": \(jsonString(column.label)), \"kind\": \(jsonString(EnumLabel.short(column.kind, prefix: "COLUMN_KIND_"))), \"unit\": \(jsonString(column.unit))}"
        }.joined(separator: ",")
        out += table.columns.isEmpty ? "],\n  \"rows\": [" : "\n  ],\n  \"rows\": ["
        out += table.rows.map { row in
            let members = zip(table.columns, row.cells).map { column, cell in "\(jsonString(column.name)): \(jsonValue(cell))" }
            return "\n    {" + members.joined(separator: ", ") + "}"
        }.joined(separator: ",")
        out += table.rows.isEmpty ? "]\n}\n" : "\n  ]\n}\n"
        return out
    }

    /// A cell as plain text (CSV, chart labels).
    static func text(_ cell: ReportingV1.Cell) -> String {
        switch cell.value {
        case .stringValue(let value)?: value
        case .integerValue(let value)?: String(value)
        case .numberValue(let value)?: number(value)
        case .moneyValue(let money)?: CurrencyFormat.text(money)
        case .timestampValue(let timestamp)?: rfc3339(timestamp)
        case nil: ""
        }
    }

    static func rfc3339(_ timestamp: CommonV1.Timestamp) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        return formatter.string(from: timestamp.date)
    }

    /// Statistics rounded to 4 decimals: enough for an average rating, without binary-fraction noise.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        let rounded = (value * 10_000).rounded() / 10_000
        return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
    }

    private static func jsonValue(_ cell: ReportingV1.Cell) -> String {
        switch cell.value {
        case .stringValue(let value)?: jsonString(value)
        case .integerValue(let value)?: String(value)
        case .numberValue(let value)?: value.isFinite ? number(value) : "null"
        case .moneyValue(let money)?:
            "{\"currency\": \(jsonString(money.currency)), \"minor_units\": \(money.minorUnits), \"amount\": \(jsonString(CurrencyFormat.decimal(money.minorUnits, currency: money.currency)))}"
        case .timestampValue(let timestamp)?: jsonString(rfc3339(timestamp))
        case nil: "null"
        }
    }

    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar == "\u{2028}" || scalar == "\u{2029}":
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
