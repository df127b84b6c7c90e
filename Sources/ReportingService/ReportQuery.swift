import GRDB
import RPCShared
import ServiceRuntime

/// Computes a report's table with SQL over the projections. Every report reads a *source*: a SELECT whose rows
/// have the standard columns its dimensions and filters need (`t` = the instant the row is dated by, plus
/// `product_id`, `category_id`, `reason`, `issue_category`, `case_kind`, `case_status`, `market`, `currency`,
/// `sla_stage`, `case_id` where they apply). The report groups that source by the requested dimensions.
enum ReportQuery {
    static func table(_ db: Database, _ spec: ReportSpec, now: Int64) throws -> ReportingV1.Table {
        let columns = spec.dimensions.map(ReportCatalog.dimensionColumn) + spec.definition.measures
        var rows: [ReportingV1.Row]
        switch spec.definition.kind {
        case .returnRate: rows = try returnRate(db, spec)
        case .refundTotals: rows = try grouped(db, spec, source: refundSource, measures: "COUNT(*), SUM(src.amount)")
        case .resolutionTime: rows = try resolutionTime(db, spec)
        case .slaBreaches: rows = try slaBreaches(db, spec, now: now)
        case .feedbackTrend:
            rows = try grouped(db, spec, source: feedbackSource, measures: "COUNT(*), AVG(src.rating), AVG(src.sentiment)")
        case .topIssues: rows = try topIssues(db, spec)
        case .caseVolume: rows = try grouped(db, spec, source: caseSource, measures: "COUNT(*)")
        case .unspecified, .unrecognized: rows = []
        }
        if spec.limit > 0 && rows.count > spec.limit { rows = Array(rows.prefix(spec.limit)) }
        return ReportingV1.Table(columns: columns, rows: rows)
    }

    // MARK: sources

    private static let caseSource = Source(select: """
        SELECT c.case_id, c.kind AS case_kind, c.status AS case_status, c.market, c.currency, c.created_at AS t FROM case_fact c
        """)

    private static let refundSource = Source(select: """
        SELECT r.case_id, r.currency, COALESCE(c.market, o.market, '') AS market, r.succeeded_at AS t, r.amount_minor AS amount
        FROM refund_fact r LEFT JOIN case_fact c ON c.case_id = r.case_id LEFT JOIN order_fact o ON o.order_id = r.order_id
        WHERE r.status = \(OrderV1.RefundStatus.succeeded.rawValue)
        """)

    private static let feedbackSource = Source(select: """
        SELECT f.product_id, COALESCE(p.category_id, '') AS category_id, f.issue_category,
               COALESCE(o.market, c.market, '') AS market, f.created_at AS t, f.rating, f.sentiment
        FROM feedback_fact f LEFT JOIN product_dim p ON p.product_id = f.product_id
             LEFT JOIN order_fact o ON o.order_id = f.order_id LEFT JOIN case_fact c ON c.case_id = f.case_id
        """)

    /// Units sold (sales lines) and units returned (lines of return cases that did not fall through), dated by
    /// when the order was placed and when the case was opened.
    private static var returnSource: Source {
        let kinds = ReturnQuantity.returnKinds.map { "\($0.rawValue)" }.joined(separator: ",")
        let abandoned = ReturnQuantity.abandonedStatuses.map { "\($0.rawValue)" }.joined(separator: ",")
        return Source(select: """
            SELECT s.product_id, s.category_id, NULL AS reason, s.market, s.currency, s.placed_at AS t,
                   s.quantity AS sold, 0 AS returned
            FROM sale_line s
            UNION ALL
            SELECT l.product_id, l.category_id, l.reason, c.market, c.currency, c.created_at, 0, l.quantity
            FROM case_line_fact l JOIN case_fact c ON c.case_id = l.case_id
            WHERE c.kind IN (\(kinds)) AND c.status NOT IN (\(abandoned))
              AND NOT (c.status = \(OrderV1.CaseStatus.closed.rawValue) AND c.resolved_at IS NULL)
            """)
    }

    /// Cases with the instant they were resolved (the snapshot's, else the first RESOLVED timeline entry).
    private static let resolvedSource = Source(select: """
        SELECT c.case_id, c.kind AS case_kind, c.market, c.currency, COALESCE(c.resolved_at, h.at) AS t,
               (COALESCE(c.resolved_at, h.at) - c.created_at) / 1000000 AS secs
        FROM case_fact c LEFT JOIN (SELECT case_id, MIN(occurred_at) AS at FROM case_history
                                    WHERE event_type = \(OrderV1.CaseEventType.resolved.rawValue) GROUP BY case_id) h
             ON h.case_id = c.case_id
        WHERE COALESCE(c.resolved_at, h.at) IS NOT NULL
        """)

    /// One row per SLA item: `t` = when its stage started, `finished` (NULL while open), `open` = the item is
    /// still in the stage by its current status (an unfinished item that is not open lacks its history; skipped).
    private static var slaSource: Source {
        typealias E = OrderV1.CaseEventType
        typealias S = OrderV1.CaseStatus
        let decisions = [E.approved, .rejected, .canceled].map { "\($0.rawValue)" }.joined(separator: ",")
        let refundOnly = OrderV1.CaseKind.refundOnly.rawValue
        let common = "c.case_id, c.kind AS case_kind, c.market, c.currency"
        return Source(with: """
            h AS (SELECT case_id,
                MIN(CASE WHEN event_type IN (\(decisions)) THEN occurred_at END) AS decided_at,
                MIN(CASE WHEN event_type = \(E.approved.rawValue) THEN occurred_at END) AS approved_at,
                MIN(CASE WHEN event_type = \(E.received.rawValue) THEN occurred_at END) AS received_at,
                MIN(CASE WHEN event_type = \(E.inspected.rawValue) THEN occurred_at END) AS inspected_at,
                MIN(CASE WHEN event_type = \(E.resolved.rawValue) THEN occurred_at END) AS resolved_at
              FROM case_history GROUP BY case_id)
            """, select: """
            SELECT \(ReportingV1.SlaStage.review.rawValue) AS sla_stage, \(common), c.created_at AS t, h.decided_at AS finished,
                   c.status IN (\(S.requested.rawValue), \(S.reopened.rawValue)) AS open
            FROM case_fact c LEFT JOIN h ON h.case_id = c.case_id
            UNION ALL
            SELECT \(ReportingV1.SlaStage.inspection.rawValue), \(common), h.received_at, h.inspected_at,
                   c.status = \(S.received.rawValue)
            FROM case_fact c JOIN h ON h.case_id = c.case_id WHERE h.received_at IS NOT NULL
            UNION ALL
            SELECT * FROM (
              SELECT \(ReportingV1.SlaStage.resolution.rawValue) AS sla_stage, \(common),
                     CASE WHEN c.kind = \(refundOnly) THEN h.approved_at ELSE h.inspected_at END AS t,
                     COALESCE(h.resolved_at, c.resolved_at) AS finished,
                     c.status = \(S.inspected.rawValue) OR (c.kind = \(refundOnly) AND c.status = \(S.approved.rawValue)) AS open
              FROM case_fact c JOIN h ON h.case_id = c.case_id)
            WHERE t IS NOT NULL AND (finished IS NULL OR finished >= t)
            UNION ALL
            SELECT \(ReportingV1.SlaStage.refund.rawValue), r.case_id, COALESCE(c.kind, 0), COALESCE(c.market, o.market, ''),
                   r.currency, r.created_at, r.succeeded_at,
                   r.status IN (\(OrderV1.RefundStatus.pending.rawValue), \(OrderV1.RefundStatus.failed.rawValue))
            FROM refund_fact r LEFT JOIN case_fact c ON c.case_id = r.case_id LEFT JOIN order_fact o ON o.order_id = r.order_id
            """)
    }

    /// Classified feedback rated 1–3 and case lines with a reason, as issue categories.
    private static let issueSource = Source(select: """
        SELECT f.issue_category, COALESCE(o.market, c.market, '') AS market, f.product_id,
               COALESCE(p.category_id, '') AS category_id, f.created_at AS t
        FROM feedback_fact f LEFT JOIN product_dim p ON p.product_id = f.product_id
             LEFT JOIN order_fact o ON o.order_id = f.order_id LEFT JOIN case_fact c ON c.case_id = f.case_id
        WHERE f.issue_category != 0 AND f.rating <= 3
        UNION ALL
        SELECT l.issue_category, c.market, l.product_id, l.category_id, c.created_at
        FROM case_line_fact l JOIN case_fact c ON c.case_id = l.case_id WHERE l.issue_category != 0
        """)

    // MARK: reports

    /// The common shape: group the source by the dimensions, aggregate `measures`, order by the dimensions.
    private static func grouped(_ db: Database, _ spec: ReportSpec, source: Source, measures: String) throws -> [ReportingV1.Row] {
        let query = Query(spec, source)
        let sql = "\(query.with)SELECT \(query.selectDimensions)\(measures) FROM \(query.from) \(query.groupBy) \(query.orderBy)"
        return try decode(db, spec, sql: sql, arguments: query.arguments)
    }

    private static func returnRate(_ db: Database, _ spec: ReportSpec) throws -> [ReportingV1.Row] {
        let query = Query(spec, returnSource)
        let keys = query.keys
        let grouped = "SELECT \(query.selectDimensions)SUM(src.sold) AS sold, SUM(src.returned) AS returned FROM \(query.from) \(query.groupBy)"
        var counted = grouped
        if let reason = spec.dimensions.firstIndex(of: .reason) {
            // Sales have no reason: every reason's denominator is all units sold in the row's other groups.
            let others = keys.enumerated().filter { $0.offset != reason }.map(\.element)
            let partition = others.isEmpty ? "" : "PARTITION BY \(others.joined(separator: ", "))"
            counted = """
                SELECT * FROM (SELECT \(keys.map { $0 + ", " }.joined())SUM(sold) OVER (\(partition)) AS sold, returned FROM (\(grouped)))
                WHERE \(keys[reason]) IS NOT NULL
                """
        }
        let rate = "CASE WHEN sold > 0 THEN (returned * 20000 + sold) / (sold * 2) END"
        let order = spec.dimensions.contains(where: { ReportPeriod($0) != nil })
            ? query.orderBy
            : "ORDER BY rate DESC, returned DESC\(keys.map { ", \($0)" }.joined())"
        let sql = "\(query.with)SELECT \(keys.map { $0 + ", " }.joined())sold, returned, \(rate) AS rate FROM (\(counted)) \(order)"
        return try decode(db, spec, sql: sql, arguments: query.arguments)
    }

    private static func resolutionTime(_ db: Database, _ spec: ReportSpec) throws -> [ReportingV1.Row] {
        let query = Query(spec, resolvedSource)
        let keys = query.keys
        let partition = keys.isEmpty ? "" : "PARTITION BY \(keys.joined(separator: ", "))"
        let ranked = """
            SELECT *, ROW_NUMBER() OVER (\(partition) ORDER BY secs) AS position, COUNT(*) OVER (\(partition)) AS n
            FROM (SELECT \(query.selectDimensions)src.secs AS secs FROM \(query.from))
            """
        // Nearest rank: the smallest value whose rank is at least ceil(p × n / 100) = (p × n + 99) / 100.
        let percentiles = [50, 90, 99].map { "MIN(CASE WHEN position >= (\($0) * n + 99) / 100 THEN secs END)" }.joined(separator: ", ")
        let sql = "\(query.with)SELECT \(keys.map { $0 + ", " }.joined())COUNT(*), \(percentiles) FROM (\(ranked)) \(query.groupBy) \(query.orderBy)"
        return try decode(db, spec, sql: sql, arguments: query.arguments)
    }

    private static func slaBreaches(_ db: Database, _ spec: ReportSpec, now: Int64) throws -> [ReportingV1.Row] {
        let query = Query(spec, slaSource, extraCondition: "(src.finished IS NOT NULL OR src.open)")
        let target = "CASE src.sla_stage \(SlaTarget.stages.map { "WHEN \($0.rawValue) THEN \(SlaTarget.seconds($0) * 1_000_000)" }.joined(separator: " ")) END"
        let breached = "SUM(CASE WHEN COALESCE(src.finished, ?) - src.t > \(target) THEN 1 ELSE 0 END)"
        let inner = "SELECT \(query.selectDimensions)COUNT(*) AS total, \(breached) AS breached FROM \(query.from) \(query.groupBy)"
        let keys = query.keys
        let stage = keys[spec.dimensions.firstIndex(of: .slaStage) ?? 0]
        let targetSeconds = "CASE \(stage) \(SlaTarget.stages.map { "WHEN \($0.rawValue) THEN \(SlaTarget.seconds($0))" }.joined(separator: " ")) END"
        let sql = """
            \(query.with)SELECT \(keys.map { $0 + ", " }.joined())\(targetSeconds), total, breached,
                   CASE WHEN total > 0 THEN (breached * 20000 + total) / (total * 2) END
            FROM (\(inner)) \(query.orderBy)
            """
        var rows = try decode(db, spec, sql: sql, arguments: [now] + query.arguments)
        if spec.dimensions == [.slaStage] {
            // Every stage gets a row, so a quiet stage reads "0 of 0" rather than vanishing from the chart.
            let present = Set(rows.compactMap { row -> String? in
                if case .stringValue(let name) = row.cells.first?.value { return name }
                return nil
            })
            for stage in SlaTarget.stages where !present.contains(EnumLabel.short(stage, prefix: "SLA_STAGE_")) {
                rows.append(ReportingV1.Row(cells: [.string(EnumLabel.short(stage, prefix: "SLA_STAGE_")), .integer(SlaTarget.seconds(stage)),
                                                    .integer(0), .integer(0), ReportingV1.Cell()]))
            }
            let order = SlaTarget.stages.map { EnumLabel.short($0, prefix: "SLA_STAGE_") }
            func position(_ row: ReportingV1.Row) -> Int {
                guard case .stringValue(let name) = row.cells.first?.value else { return order.count }
                return order.firstIndex(of: name) ?? order.count
            }
            rows.sort { position($0) < position($1) }
        }
        return rows
    }

    private static func topIssues(_ db: Database, _ spec: ReportSpec) throws -> [ReportingV1.Row] {
        let query = Query(spec, issueSource)
        let keys = query.keys
        let sql = "\(query.with)SELECT \(query.selectDimensions)COUNT(*) AS n, 0 FROM \(query.from) \(query.groupBy) ORDER BY n DESC\(keys.map { ", \($0)" }.joined())"
        var rows = try decode(db, spec, sql: sql, arguments: query.arguments)
        let counts = rows.map { $0.cells[keys.count].integer ?? 0 }
        let shares = MoneyMath.allocate(10_000, weights: counts)
        for index in rows.indices { rows[index].cells[keys.count + 1] = .integer(shares[index]) }
        return rows
    }

    // MARK: decoding

    /// Reads rows of `keys…, measures…` into cells: dimension keys become strings/enum names/period starts,
    /// measures follow their column kinds (money takes the row's currency).
    private static func decode(_ db: Database, _ spec: ReportSpec, sql: String,
                               arguments: [any DatabaseValueConvertible]) throws -> [ReportingV1.Row] {
        let dimensions = spec.dimensions
        let measures = spec.definition.measures
        let currencyIndex = dimensions.firstIndex(of: .currency)
        // A loop over a cursor rather than `fetchAll(…).map { row in … }`: Swift 6.3.1's optimizer aborts
        // ("Found ownership error", CopyPropagation) on the closure form in release builds.
        var rows: [ReportingV1.Row] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
        while let row = try cursor.next() {
            var cells: [ReportingV1.Cell] = []
            for index in dimensions.indices {
                let value: DatabaseValue = row[index]
                cells.append(dimensionCell(dimensions[index], value))
            }
            var currency = ""
            if let currencyIndex, let code: String = row[currencyIndex] { currency = code }
            for (offset, column) in measures.enumerated() {
                let value: DatabaseValue = row[dimensions.count + offset]
                cells.append(measureCell(column.kind, value, currency: currency))
            }
            rows.append(ReportingV1.Row(cells: cells))
        }
        return rows
    }

    private static func dimensionCell(_ dimension: ReportingV1.ReportDimension, _ value: DatabaseValue) -> ReportingV1.Cell {
        if value.isNull { return ReportingV1.Cell() }
        if let period = ReportPeriod(dimension), let micros = Int64.fromDatabaseValue(value) {
            return ReportingV1.Cell(value: .timestampValue(CommonV1.Timestamp(epochMicros: period.start(of: micros))))
        }
        let number = Int32.fromDatabaseValue(value) ?? 0
        switch dimension {
        case .reason: return .string(EnumLabel.short(OrderV1.ReasonCode(rawValue: number), prefix: "REASON_CODE_"))
        case .issueCategory: return .string(EnumLabel.short(ProductV1.IssueCategory(rawValue: number), prefix: "ISSUE_CATEGORY_"))
        case .caseKind: return .string(EnumLabel.short(OrderV1.CaseKind(rawValue: number), prefix: "CASE_KIND_"))
        case .caseStatus: return .string(EnumLabel.short(OrderV1.CaseStatus(rawValue: number), prefix: "CASE_STATUS_"))
        case .slaStage: return .string(EnumLabel.short(ReportingV1.SlaStage(rawValue: number), prefix: "SLA_STAGE_"))
        default:
            let text = String.fromDatabaseValue(value) ?? ""
            return text.isEmpty ? ReportingV1.Cell() : .string(text)
        }
    }

    private static func measureCell(_ kind: ReportingV1.ColumnKind, _ value: DatabaseValue, currency: String) -> ReportingV1.Cell {
        if value.isNull { return ReportingV1.Cell() }
        switch kind {
        case .number:
            return ReportingV1.Cell(value: Double.fromDatabaseValue(value).map { .numberValue($0) })
        case .money:
            return ReportingV1.Cell(value: Int64.fromDatabaseValue(value).map {
                .moneyValue(CommonV1.Money(currency: currency, minorUnits: $0))
            })
        default:
            return ReportingV1.Cell(value: Int64.fromDatabaseValue(value).map { .integerValue($0) })
        }
    }
}

/// A report source: an optional common table expression and the SELECT.
struct Source: Sendable {
    var with: String? = nil
    var select: String
}

/// The pieces of a grouped query over a source: dimension keys `k0…`, the filtered FROM, GROUP BY, ORDER BY.
private struct Query {
    let with: String
    let keys: [String]
    let selectDimensions: String
    let from: String
    let arguments: [any DatabaseValueConvertible]
    let spec: ReportSpec

    init(_ spec: ReportSpec, _ source: Source, extraCondition: String? = nil) {
        self.spec = spec
        with = source.with.map { "WITH \($0) " } ?? ""
        keys = spec.dimensions.indices.map { "k\($0)" }
        selectDimensions = zip(spec.dimensions, keys).map { dimension, key in
            "\(Self.expression(dimension)) AS \(key), "
        }.joined()
        var conditions = ["src.t >= ?", "src.t < ?"]
        var arguments: [any DatabaseValueConvertible] = [spec.start, spec.end]
        let filters = spec.filters
        if !filters.market.isEmpty { conditions.append("src.market = ?"); arguments.append(filters.market) }
        if !filters.currency.isEmpty { conditions.append("src.currency = ?"); arguments.append(filters.currency) }
        for (value, column) in [(filters.productID, "product_id"), (filters.categoryID, "category_id")] where !value.isEmpty {
            switch spec.definition.filtersProduct {
            case .direct: conditions.append("src.\(column) = ?")
            case .viaCaseLines: conditions.append("EXISTS (SELECT 1 FROM case_line_fact l WHERE l.case_id = src.case_id AND l.\(column) = ?)")
            case .unsupported: continue
            }
            arguments.append(value)
        }
        if let extraCondition { conditions.append(extraCondition) }
        from = "(\(source.select)) AS src WHERE \(conditions.joined(separator: " AND "))"
        self.arguments = arguments
    }

    var groupBy: String { keys.isEmpty ? "" : "GROUP BY \(keys.joined(separator: ", "))" }
    var orderBy: String { keys.isEmpty ? "" : "ORDER BY \(keys.joined(separator: ", "))" }

    static func expression(_ dimension: ReportingV1.ReportDimension) -> String {
        if let period = ReportPeriod(dimension) { return period.sqlStart(of: "src.t") }
        switch dimension {
        case .product: return "src.product_id"
        case .category: return "src.category_id"
        case .reason: return "src.reason"
        case .issueCategory: return "src.issue_category"
        case .caseKind: return "src.case_kind"
        case .caseStatus: return "src.case_status"
        case .market: return "src.market"
        case .currency: return "src.currency"
        case .slaStage: return "src.sla_stage"
        default: return "NULL"
        }
    }
}

extension ReportingV1.Cell {
    static func string(_ value: String) -> Self { .init(value: .stringValue(value)) }
    static func integer(_ value: Int64) -> Self { .init(value: .integerValue(value)) }

    var integer: Int64? {
        if case .integerValue(let value) = value { return value }
        return nil
    }
}
