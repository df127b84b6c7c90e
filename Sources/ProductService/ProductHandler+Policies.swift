import Foundation
import GRDB
import RPCShared
import ServiceRuntime

/// Return policies and eligibility.
extension ProductHandler {
    public func upsertPolicy(_ request: ProductV1.UpsertPolicyRequest, context: ServerContext) async throws -> ProductV1.ReturnPolicy {
        var check = FieldValidator()
        check.policy(request.policy, "policy")
        check.nonNegative(request.expectedVersion, "expected_version")
        if let actor = request.actor {
            check.knownOrUnspecified(actor.kind, "actor.kind")
            check.optionalIdentifier(actor.id, "actor.id")
        }
        try check.validate()
        let now = clock.now()
        return try await database.idempotent(request, context: context, clock: clock) { db in
            try PolicyStore.upsert(db, request.policy ?? .init(), expectedVersion: request.expectedVersion,
                                   updatedBy: request.actor?.id ?? "", now: now)
        }
    }

    public func getEffectivePolicy(_ request: ProductV1.GetEffectivePolicyRequest, context: ServerContext) async throws -> ProductV1.EffectivePolicy {
        var check = FieldValidator()
        check.market(request.market, "market")
        check.optionalIdentifier(request.productID, "product_id")
        check.optionalIdentifier(request.sku, "sku")
        if request.productID.isEmpty && request.sku.isEmpty { check.fail("product_id", "is required (or sku)") }
        check.timestamp(request.asOf, "as_of")
        try check.validate()
        let asOf = request.asOf?.date ?? clock.now()
        let localDate = ReturnWindow(timeZone: MarketCalendar.timeZone(for: request.market)).localDate(asOf)
        return try await database.read { db in
            let product = try Self.resolveProduct(db, productID: request.productID, sku: request.sku)
            guard let policy = try PolicyStore.effective(db, market: request.market, product: product, localDate: localDate) else {
                throw RPCError(.notFound, "no active return policy applies to product \(product.id) in market \(request.market)",
                               details: .init(reason: "NOT_FOUND", resource: "policy/\(request.market)/\(product.id)"))
            }
            return policy
        }
    }

    public func listPolicies(_ request: ProductV1.ListPoliciesRequest, context: ServerContext) async throws -> ProductV1.ListPoliciesResponse {
        var check = FieldValidator()
        check.market(request.market, "market", required: false)
        check.knownOrUnspecified(request.scope, "scope")
        check.optionalIdentifier(request.categoryID, "category_id")
        check.optionalIdentifier(request.productID, "product_id")
        try check.validate()
        let size = try PageCursor.pageSize(request.page)
        let query = "policies|\(request.market)|\(request.scope.rawValue)|\(request.categoryID)|\(request.productID)|\(request.includeInactive)"
        let cursor = try PageCursor.decode(request.page, query: query)
        let filter = PolicyStore.Filter(market: request.market, scope: request.scope, categoryID: request.categoryID,
                                        productID: request.productID, includeInactive: request.includeInactive)
        return try await database.read { db in
            let rows = try PolicyStore.list(db, filter: filter, cursor: cursor, limit: size + 1)
            let page = PageCursor.page(rows, size: size, query: query) { PageCursor(key: "\($0.1)", id: $0.0.id) }
            return ProductV1.ListPoliciesResponse(policies: page.rows.map(\.0), page: page.page)
        }
    }

    public func checkEligibility(_ request: ProductV1.CheckEligibilityRequest, context: ServerContext) async throws -> ProductV1.CheckEligibilityResponse {
        var check = FieldValidator()
        check.market(request.market, "market")
        var window: ReturnWindow?
        if request.timeZone.isEmpty {
            window = ReturnWindow(timeZone: MarketCalendar.timeZone(for: request.market))
        } else {
            window = ReturnWindow(timeZoneIdentifier: request.timeZone)
            if window == nil { check.fail("time_zone", "must be an IANA time zone such as Asia/Shanghai, got '\(request.timeZone.prefix(64))'") }
        }
        check.timestamp(request.asOf, "as_of")
        check.knownOrUnspecified(request.kind, "kind")
        check.optionalIdentifier(request.orderID, "order_id")
        check.count(request.lines, "lines", required: true)
        for (index, line) in request.lines.enumerated() {
            let path = "lines[\(index)]"
            check.optionalIdentifier(line.orderLineID, path + ".order_line_id")
            check.identifier(line.sku, path + ".sku")
            check.optionalIdentifier(line.productID, path + ".product_id")
            check.nonNegative(line.deliveredQuantity, path + ".delivered_quantity")
            check.nonNegative(line.returnedQuantity, path + ".returned_quantity")
            check.nonNegative(line.requestedQuantity, path + ".requested_quantity")
            check.timestamp(line.deliveredAt, path + ".delivered_at")
            check.knownOrUnspecified(line.requestedResolution, path + ".requested_resolution")
            check.knownOrUnspecified(line.reason, path + ".reason")
        }
        try check.validate()
        guard let window else { throw RPCError.invalidArgument("time_zone", "is not a known time zone") }
        let asOf = request.asOf?.date ?? clock.now()
        let evaluator = EligibilityEvaluator(kind: request.kind, asOf: asOf, window: window)
        let localDate = ReturnWindow(timeZone: MarketCalendar.timeZone(for: request.market)).localDate(asOf)
        return try await database.read { db in
            var verdicts: [ProductV1.LineVerdict] = []
            var policies: [String: ProductV1.EffectivePolicy?] = [:]
            for line in request.lines {
                guard let found = try CatalogueStore.variant(db, sku: line.sku),
                      line.productID.isEmpty || line.productID == found.product.id else {
                    verdicts.append(evaluator.unknownSKU(line))
                    continue
                }
                let policy: ProductV1.EffectivePolicy?
                if let cached = policies[found.product.id] {
                    policy = cached
                } else {
                    policy = try PolicyStore.effective(db, market: request.market, product: found.product, localDate: localDate)
                    policies[found.product.id] = .some(policy)
                }
                verdicts.append(evaluator.evaluate(line, policy: policy))
            }
            return ProductV1.CheckEligibilityResponse(lines: verdicts, allEligible: verdicts.allSatisfy(\.eligible),
                                                      evaluatedAt: CommonV1.Timestamp(asOf))
        }
    }
}
