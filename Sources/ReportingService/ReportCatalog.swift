import RPCShared

/// How a report's filters on product and category reach its rows.
enum ProductFilterSupport: Sendable {
    /// Not applicable: asking for it is INVALID_ARGUMENT.
    case unsupported
    /// The rows carry `product_id` / `category_id`.
    case direct
    /// The rows are cases: a case matches when one of its lines does.
    case viaCaseLines
}

/// What the chart of a report shows: which measure columns, scaled how, on which axis title.
struct ChartSpec: Sendable {
    var measures: [String]
    /// Values are divided by this before plotting (bp → %, seconds → hours). Money is always shown in major units.
    var divisor: Double = 1
    var axisTitle: String
    /// For counts and sums a period without rows is a real zero (no refunds that day); for rates and averages
    /// it is unknown and stays a gap in the line.
    var missingIsZero = false
}

/// Everything fixed about one report kind: the group-bys it accepts, its measures, filters and chart.
struct ReportDefinition: Sendable {
    let kind: ReportingV1.ReportKind
    let title: String
    let allowed: [ReportingV1.ReportDimension]
    let defaults: [ReportingV1.ReportDimension]
    /// A dimension that must be among the group-bys (refund totals are never added across currencies).
    let required: ReportingV1.ReportDimension?
    let measures: [ReportingV1.Column]
    let filtersCurrency: Bool
    let filtersProduct: ProductFilterSupport
    let chart: ChartSpec
    let notes: [String]
}

enum ReportCatalog {
    static let periods: [ReportingV1.ReportDimension] = [.day, .week, .month]

    static func definition(_ kind: ReportingV1.ReportKind) -> ReportDefinition? {
        switch kind {
        case .returnRate:
            ReportDefinition(
                kind: kind, title: "Return rate",
                allowed: [.product, .category, .reason, .market, .currency] + periods, defaults: [.product], required: nil,
                measures: [integer("units_sold", "Units sold", "units"), integer("units_returned", "Units returned", "units"),
                           integer("return_rate_bp", "Return rate", "bp")],
                filtersCurrency: true, filtersProduct: .direct,
                chart: ChartSpec(measures: ["return_rate_bp"], divisor: 100, axisTitle: "Return rate (%)"),
                notes: ["units sold: order lines placed in the range; units returned: units on return, refund-only and exchange cases opened in the range (requested while in review, then approved, then accepted at inspection), excluding rejected, canceled and expired cases",
                        "return_rate_bp = round(units_returned × 10000 / units_sold), half up, integer arithmetic; empty when nothing was sold",
                        "by reason: units_sold is every unit sold (in the row's other groups), so the reasons' rates add up to the overall rate"])
        case .refundTotals:
            ReportDefinition(
                kind: kind, title: "Refund totals",
                allowed: [.currency, .market] + periods, defaults: [.currency, .day], required: .currency,
                measures: [integer("refund_count", "Refunds", "refunds"), ReportingV1.Column(name: "amount", label: "Amount refunded", kind: .money, unit: "")],
                filtersCurrency: true, filtersProduct: .unsupported,
                chart: ChartSpec(measures: ["amount"], axisTitle: "Amount refunded (major units)", missingIsZero: true),
                notes: ["SUCCEEDED refunds by the day they succeeded (UTC); amounts are summed per currency, never across currencies"])
        case .resolutionTime:
            ReportDefinition(
                kind: kind, title: "Resolution time",
                allowed: [.caseKind, .market, .currency] + periods, defaults: [.caseKind], required: nil,
                measures: [integer("resolved_count", "Resolved cases", "cases"), integer("p50_seconds", "p50", "seconds"),
                           integer("p90_seconds", "p90", "seconds"), integer("p99_seconds", "p99", "seconds")],
                filtersCurrency: true, filtersProduct: .viaCaseLines,
                chart: ChartSpec(measures: ["p50_seconds", "p90_seconds", "p99_seconds"], divisor: 3600, axisTitle: "Created → resolved (hours)"),
                notes: ["cases resolved in the range; seconds from created_at to resolved_at",
                        "percentiles by nearest rank: the value at rank ceil(p × n / 100) of the sorted durations"])
        case .slaBreaches:
            ReportDefinition(
                kind: kind, title: "SLA breaches",
                allowed: [.slaStage, .caseKind, .market], defaults: [.slaStage], required: .slaStage,
                measures: [integer("target_seconds", "Target", "seconds"), integer("total", "Items", "items"),
                           integer("breached", "Breached", "items"), integer("breach_rate_bp", "Breach rate", "bp")],
                filtersCurrency: true, filtersProduct: .viaCaseLines,
                chart: ChartSpec(measures: ["breach_rate_bp"], divisor: 100, axisTitle: "Breach rate (%)"),
                notes: ["items whose stage started in the range; targets: review 48 h, inspection 72 h, resolution 48 h, refund 24 h",
                        "breached: took longer than the target, or still open and already waiting longer than it (as of generated_at)"])
        case .feedbackTrend:
            ReportDefinition(
                kind: kind, title: "Feedback trend",
                allowed: periods + [.product, .category, .issueCategory, .market], defaults: [.day], required: nil,
                measures: [integer("count", "Feedback", "feedback"),
                           ReportingV1.Column(name: "average_rating", label: "Average rating", kind: .number, unit: "stars (1–5)"),
                           ReportingV1.Column(name: "average_sentiment", label: "Average sentiment", kind: .number, unit: "score (−1…+1)")],
                filtersCurrency: false, filtersProduct: .direct,
                chart: ChartSpec(measures: ["average_rating"], axisTitle: "Average rating (1–5)"),
                notes: ["feedback submitted in the range, by its created_at (UTC periods; weeks start on Monday)"])
        case .topIssues:
            ReportDefinition(
                kind: kind, title: "Top issues",
                allowed: [.issueCategory], defaults: [.issueCategory], required: .issueCategory,
                measures: [integer("count", "Items", "items"), integer("share_bp", "Share", "bp")],
                filtersCurrency: false, filtersProduct: .direct,
                chart: ChartSpec(measures: ["count"], axisTitle: "Items", missingIsZero: true),
                notes: ["classified feedback rated 1–3 plus case lines (their return reason mapped to an issue category), in the range",
                        "share_bp: each category's share of all classified items, largest-remainder rounded so the shares add up to 10000"])
        case .caseVolume:
            ReportDefinition(
                kind: kind, title: "Case volume",
                allowed: [.caseStatus, .caseKind, .market, .currency] + periods, defaults: [.caseStatus], required: nil,
                measures: [integer("cases", "Cases", "cases")],
                filtersCurrency: true, filtersProduct: .viaCaseLines,
                chart: ChartSpec(measures: ["cases"], axisTitle: "Cases", missingIsZero: true),
                notes: ["cases opened in the range, by their current status"])
        case .unspecified, .unrecognized:
            nil
        }
    }

    static func dimensionColumn(_ dimension: ReportingV1.ReportDimension) -> ReportingV1.Column {
        switch dimension {
        case .product: .init(name: "product_id", label: "Product", kind: .string)
        case .category: .init(name: "category_id", label: "Category", kind: .string)
        case .reason: .init(name: "reason", label: "Reason", kind: .string)
        case .issueCategory: .init(name: "issue_category", label: "Issue category", kind: .string)
        case .caseKind: .init(name: "case_kind", label: "Case kind", kind: .string)
        case .caseStatus: .init(name: "case_status", label: "Case status", kind: .string)
        case .market: .init(name: "market", label: "Market", kind: .string)
        case .currency: .init(name: "currency", label: "Currency", kind: .string)
        case .slaStage: .init(name: "sla_stage", label: "SLA stage", kind: .string)
        case .day: .init(name: "day", label: "Day", kind: .timestamp)
        case .week: .init(name: "week", label: "Week", kind: .timestamp)
        case .month: .init(name: "month", label: "Month", kind: .timestamp)
        case .unspecified, .unrecognized: .init(name: "unknown", label: "Unknown", kind: .string)
        }
    }

    /// The title of a report grouped by `dimensions`: "Return rate by product".
    static func title(_ definition: ReportDefinition, _ dimensions: [ReportingV1.ReportDimension]) -> String {
        let by = dimensions.map { dimensionColumn($0).label.lowercased() }.joined(separator: " and ")
        return by.isEmpty ? definition.title : "\(definition.title) by \(by)"
    }

    private static func integer(_ name: String, _ label: String, _ unit: String) -> ReportingV1.Column {
        ReportingV1.Column(name: name, label: label, kind: .integer, unit: unit)
    }
}
