import RPCShared
import ServiceRuntime

/// Filters of a report (empty = all).
struct ReportFilters: Sendable, Equatable {
    var market = ""
    var currency = ""
    var categoryID = ""
    var productID = ""
}

/// A validated GetReport request: the report to compute, over [start, end) in epoch microseconds.
struct ReportSpec: Sendable {
    let definition: ReportDefinition
    let dimensions: [ReportingV1.ReportDimension]
    let start: Int64
    let end: Int64
    let format: ReportingV1.ReportFormat
    let filters: ReportFilters
    let limit: Int

    static let maxDimensions = 3
    static let maxLimit: Int32 = 10_000

    /// Validates `request`, failing with one INVALID_ARGUMENT that names every bad field.
    init(_ request: ReportingV1.GetReportRequest) throws {
        var check = FieldValidator()
        check.known(request.kind, "kind")
        let definition = ReportCatalog.definition(request.kind)
        let (start, end) = Self.checkRange(request.range, "range", required: true, &check)
        Self.checkFormat(request.format, &check)
        var dimensions = request.groupBy.isEmpty ? (definition?.defaults ?? []) : request.groupBy
        if let definition {
            check.count(request.groupBy, "group_by", max: Self.maxDimensions)
            for (index, dimension) in request.groupBy.enumerated() {
                if !definition.allowed.contains(dimension) {
                    check.fail("group_by[\(index)]", "\(dimension.protoName ?? "value \(dimension.rawValue)") is not available for \(request.kind.protoName ?? ""); allowed: \(definition.allowed.compactMap(\.protoName).joined(separator: ", "))")
                } else if request.groupBy[..<index].contains(dimension) {
                    check.fail("group_by[\(index)]", "\(dimension.protoName ?? "") is given twice")
                }
            }
            if dimensions.filter({ ReportCatalog.periods.contains($0) }).count > 1 {
                check.fail("group_by", "at most one of REPORT_DIMENSION_DAY, _WEEK, _MONTH")
            }
            if let required = definition.required, !dimensions.contains(required) {
                check.fail("group_by", "must include \(required.protoName ?? "") for \(request.kind.protoName ?? "")\(required == .currency ? ": amounts in different currencies are never added" : "")")
            }
            Self.checkFilters(request, definition, &check)
        }
        check.range(request.limit, 0...Self.maxLimit, "limit")
        try check.validate()
        guard let definition else { throw RPCError.invalidArgument("kind", "is required") }
        dimensions = dimensions.filter { definition.allowed.contains($0) }
        self.definition = definition
        self.dimensions = dimensions
        self.start = start
        self.end = end
        self.format = request.format == .unspecified ? .json : request.format
        self.filters = ReportFilters(market: request.market, currency: request.currency,
                                     categoryID: request.categoryID, productID: request.productID)
        self.limit = Int(request.limit)
    }

    /// A spec built by the service itself (the dashboard), already valid.
    init(definition: ReportDefinition, dimensions: [ReportingV1.ReportDimension], start: Int64, end: Int64,
         filters: ReportFilters, limit: Int = 0) {
        self.definition = definition
        self.dimensions = dimensions
        self.start = start
        self.end = end
        self.format = .json
        self.filters = filters
        self.limit = limit
    }

    /// Checks a time range; returns it in epoch micros (0, 0 when absent or broken).
    static func checkRange(_ range: ReportingV1.TimeRange?, _ field: String, required: Bool,
                           _ check: inout FieldValidator) -> (Int64, Int64) {
        guard let range else {
            if required { check.fail(field, "is required") }
            return (0, 0)
        }
        check.timestamp(range.start, field + ".start", required: true)
        check.timestamp(range.end, field + ".end", required: true)
        guard let start = range.start, let end = range.end, check.isValid else { return (0, 0) }
        if start.epochMicros >= end.epochMicros {
            check.fail(field, "start must be before end (the range is half-open [start, end))")
        }
        return (start.epochMicros, end.epochMicros)
    }

    /// Market: ISO 3166-1 alpha-2, upper case.
    static func checkMarket(_ market: String, _ check: inout FieldValidator) {
        if !market.isEmpty && !(market.utf8.count == 2 && market.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }) {
            check.fail("market", "must be an ISO 3166-1 alpha-2 code such as CN, got '\(market)'")
        }
    }

    private static func checkFormat(_ format: ReportingV1.ReportFormat, _ check: inout FieldValidator) {
        if format.protoName == nil { check.fail("format", "has unknown value \(format.rawValue)") }
    }

    private static func checkFilters(_ request: ReportingV1.GetReportRequest, _ definition: ReportDefinition,
                                     _ check: inout FieldValidator) {
        let kindName = request.kind.protoName ?? ""
        checkMarket(request.market, &check)
        if !request.currency.isEmpty {
            if definition.filtersCurrency { check.currency(request.currency, "currency") }
            else { check.fail("currency", "does not apply to \(kindName)") }
        }
        for (value, field) in [(request.categoryID, "category_id"), (request.productID, "product_id")] where !value.isEmpty {
            if case .unsupported = definition.filtersProduct { check.fail(field, "does not apply to \(kindName)") }
            else { check.identifier(value, field) }
        }
    }
}
