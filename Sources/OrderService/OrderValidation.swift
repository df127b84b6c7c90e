import RPCShared
import ServiceRuntime

/// Request checks that need nothing but the request: every problem is collected, then one INVALID_ARGUMENT
/// names each field. Checks against stored state (does that order line exist?) happen in the transaction.
enum OrderValidation {
    static func actor(_ actor: CommonV1.Actor?, _ check: inout FieldValidator, field: String = "actor") {
        guard let actor else { return }
        if actor.kind != .unspecified && actor.kind.protoName == nil {
            check.fail(field + ".kind", "has unknown value \(actor.kind.rawValue)")
        }
        check.optionalIdentifier(actor.id, field + ".id")
    }

    static func market(_ market: String, _ check: inout FieldValidator, field: String) {
        if market.utf8.count != 2 || !market.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) {
            check.fail(field, "must be an ISO 3166-1 alpha-2 code such as CN, got '\(market)'")
        }
    }

    /// A present amount in `currency` (INVALID_ARGUMENT on a mixed currency), ≥ 0 unless `allowNegative`.
    static func money(_ value: CommonV1.Money?, currency: String, _ check: inout FieldValidator, field: String,
                      required: Bool = true, positive: Bool = false) {
        check.money(value, field, required: required)
        guard let value else { return }
        if MoneyMath.isCurrencyCode(value.currency), MoneyMath.isCurrencyCode(currency), value.currency != currency {
            check.fail(field + ".currency", "must be the order currency \(currency), got \(value.currency)")
        }
        if positive && value.minorUnits == 0 { check.fail(field + ".minor_units", "must be positive, got 0") }
    }

    static func fulfilment(_ fulfilment: OrderV1.Fulfilment?, _ check: inout FieldValidator, field: String) {
        guard let fulfilment else { return check.fail(field, "is required") }
        check.optionalIdentifier(fulfilment.id, field + ".id")
        check.optionalIdentifier(fulfilment.warehouseID, field + ".warehouse_id")
        check.optionalIdentifier(fulfilment.shipmentID, field + ".shipment_id")
        check.timestamp(fulfilment.shippedAt, field + ".shipped_at")
        check.timestamp(fulfilment.deliveredAt, field + ".delivered_at")
        check.count(fulfilment.lines, field + ".lines", required: true)
        var seen = Set<String>()
        for (index, line) in fulfilment.lines.enumerated() {
            let path = "\(field).lines[\(index)]"
            check.identifier(line.orderLineID, path + ".order_line_id")
            check.positive(line.quantity, path + ".quantity")
            if !line.orderLineID.isEmpty && !seen.insert(line.orderLineID).inserted {
                check.fail(path + ".order_line_id", "repeats order line \(line.orderLineID)")
            }
        }
    }

    static func payment(_ payment: OrderV1.Payment?, currency: String, _ check: inout FieldValidator, field: String) {
        guard let payment else { return check.fail(field, "is required") }
        check.optionalIdentifier(payment.id, field + ".id")
        check.known(payment.method, field + ".method")
        check.name(payment.providerReference, field + ".provider_reference")
        money(payment.captured, currency: currency, &check, field: field + ".captured", positive: true)
        check.timestamp(payment.capturedAt, field + ".captured_at")
        check.optionalIdentifier(payment.caseID, field + ".case_id")
    }

    /// CreateOrder: the whole order, its lines, payments and fulfilments.
    static func order(_ order: OrderV1.Order?) throws {
        var check = FieldValidator()
        guard let order else {
            check.fail("order", "is required")
            return try check.validate()
        }
        check.optionalIdentifier(order.id, "order.id")
        check.identifier(order.customerID, "order.customer_id")
        market(order.market, &check, field: "order.market")
        check.currency(order.currency, "order.currency")
        check.count(order.lines, "order.lines", required: true)
        check.timestamp(order.placedAt, "order.placed_at")
        var lineIDs = Set<String>()
        var lineQuantities: [String: Int] = [:]
        for (index, line) in order.lines.enumerated() {
            let path = "order.lines[\(index)]"
            check.optionalIdentifier(line.id, path + ".id")
            if !line.id.isEmpty {
                if !lineIDs.insert(line.id).inserted { check.fail(path + ".id", "repeats line id \(line.id)") }
                lineQuantities[line.id] = Int(line.quantity)
            }
            check.identifier(line.sku, path + ".sku")
            check.optionalIdentifier(line.productID, path + ".product_id")
            check.optionalIdentifier(line.categoryID, path + ".category_id")
            check.name(line.title, path + ".title")
            check.positive(line.quantity, path + ".quantity")
            money(line.unitPrice, currency: order.currency, &check, field: path + ".unit_price")
            money(line.lineDiscount, currency: order.currency, &check, field: path + ".line_discount", required: false)
            money(line.tax, currency: order.currency, &check, field: path + ".tax", required: false)
            if let price = line.unitPrice, let discount = line.lineDiscount, line.quantity > 0,
               discount.minorUnits > price.minorUnits.multipliedReportingOverflow(by: Int64(line.quantity)).partialValue {
                check.fail(path + ".line_discount", "exceeds the line value \(line.quantity) × \(price.minorUnits)")
            }
        }
        money(order.orderDiscount, currency: order.currency, &check, field: "order.order_discount", required: false)
        money(order.shippingCost, currency: order.currency, &check, field: "order.shipping_cost", required: false)
        check.count(order.payments, "order.payments")
        for (index, payment) in order.payments.enumerated() {
            self.payment(payment, currency: order.currency, &check, field: "order.payments[\(index)]")
            if !payment.caseID.isEmpty { check.fail("order.payments[\(index)].case_id", "must be empty on a new order") }
        }
        check.count(order.fulfilments, "order.fulfilments")
        var shipped: [String: Int] = [:]
        for (index, fulfilment) in order.fulfilments.enumerated() {
            let path = "order.fulfilments[\(index)]"
            self.fulfilment(fulfilment, &check, field: path)
            for (lineIndex, line) in fulfilment.lines.enumerated() {
                guard lineQuantities[line.orderLineID] != nil else {
                    if !line.orderLineID.isEmpty {
                        check.fail("\(path).lines[\(lineIndex)].order_line_id",
                                   "is not a line of this order (fulfilments need explicit line ids)")
                    }
                    continue
                }
                shipped[line.orderLineID, default: 0] += Int(line.quantity)
            }
        }
        for (lineID, units) in shipped.sorted(by: { $0.key < $1.key }) where units > lineQuantities[lineID, default: 0] {
            check.fail("order.fulfilments", "ship \(units) units of line \(lineID), which has \(lineQuantities[lineID, default: 0])")
        }
        if let address = order.shippingAddress {
            check.name(address.name, "order.shipping_address.name")
            check.count(address.lines, "order.shipping_address.lines", max: 10)
            for (index, line) in address.lines.enumerated() { check.name(line, "order.shipping_address.lines[\(index)]") }
            check.name(address.city, "order.shipping_address.city")
            check.name(address.region, "order.shipping_address.region")
            check.name(address.postalCode, "order.shipping_address.postal_code")
            check.name(address.country, "order.shipping_address.country")
            check.name(address.phone, "order.shipping_address.phone")
        }
        try check.validate()
    }

    /// The case id + expected_version + actor every case transition takes.
    static func caseCommand(caseID: String, expectedVersion: Int64, actor: CommonV1.Actor?,
                            _ check: inout FieldValidator) {
        check.identifier(caseID, "case_id")
        check.nonNegative(expectedVersion, "expected_version")
        self.actor(actor, &check)
    }

    static func lineQuantities(_ lines: [OrderV1.LineQuantity], _ check: inout FieldValidator, allowZero: Bool) {
        check.count(lines, "lines")
        var seen = Set<String>()
        for (index, line) in lines.enumerated() {
            check.identifier(line.caseLineID, "lines[\(index)].case_line_id")
            if allowZero { check.nonNegative(line.quantity, "lines[\(index)].quantity") }
            else { check.positive(line.quantity, "lines[\(index)].quantity") }
            if !line.caseLineID.isEmpty && !seen.insert(line.caseLineID).inserted {
                check.fail("lines[\(index)].case_line_id", "repeats case line \(line.caseLineID)")
            }
        }
    }

    static func feeTerms(_ terms: OrderV1.FeeTerms?, _ check: inout FieldValidator, field: String = "fee_terms") {
        guard let terms else { return }
        check.optionalIdentifier(terms.policyID, field + ".policy_id")
        check.range(terms.restockingFeeBp, 0...10_000, field + ".restocking_fee_bp")
        check.money(terms.returnShippingFee, field + ".return_shipping_fee", required: false)
    }

    static func page(_ page: CommonV1.PageRequest?, _ check: inout FieldValidator) {
        if let page {
            check.nonNegative(page.pageSize, "page.page_size")
            check.text(page.pageToken, "page.page_token", maxLength: 1024)
        }
    }
}
