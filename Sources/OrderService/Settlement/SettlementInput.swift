import Foundation
import RPCShared
import ServiceRuntime

/// The order and case facts a settlement needs, checked for consistency and reduced to minor units, so that the
/// arithmetic in ``RefundCalculator`` never meets a missing amount, a foreign currency or an impossible quantity.
/// Every problem is collected and reported at once as INVALID_ARGUMENT naming the field
/// (`order.lines[1].unit_price.currency`, `case.lines[0].quantities.accepted`, …).
struct SettlementInput: Sendable {
    /// An order line in minor units.
    struct Line: Sendable {
        var id: String
        /// How sentences name the line: its SKU, else its id.
        var label: String
        var quantity: Int64
        var unitPrice: Int64
        var lineDiscount: Int64
        var tax: Int64
        /// Units settled on earlier resolved cases (`OrderLine.returned_quantity`).
        var returned: Int64
        /// quantity × unit price − line discount: the weight of the order-discount proration.
        var discountedValue: Int64
        /// This line's share (all units) of the order discount, largest remainder over all lines.
        var orderDiscountShare: Int64

        var proration: UnitProration { UnitProration(lineQuantity: quantity) }

        /// What the first `units` units are worth after both discounts (tax excluded). Settling units r+1…r+q
        /// is worth `value(r+q) − value(r)`, exactly the sum of their item value and order-discount share.
        func discountedValue(ofFirst units: Int64) -> Int64 {
            units * unitPrice - proration.cumulative(lineDiscount, units)
                - proration.cumulative(orderDiscountShare, units)
        }
    }

    /// The units of one case line being settled.
    struct Units: Sendable {
        var caseLine: OrderV1.CaseLine
        /// Index into ``SettlementInput/lines``.
        var line: Int
        var quantity: Int64
        /// Units of the same order line settled before these: returned on earlier cases, plus earlier lines of
        /// this case on the same order line.
        var settledBefore: Int64
        var resolution: OrderV1.Resolution
        /// Per unit, EXCHANGE only.
        var exchangeUnitPrice: Int64
    }

    /// A payment in minor units.
    struct Payment: Sendable {
        var index: Int
        var id: String
        var method: OrderV1.PaymentMethod
        var captured: Int64
        var refunded: Int64
        var capturedAt: Int64?
        var caseID: String
        var remaining: Int64 { captured - refunded }
    }

    var currency: String
    var caseID: String
    var lines: [Line]
    var units: [Units]
    var payments: [Payment]
    var orderDiscount: Int64
    var shippingCost: Int64
    /// Σ discounted value of all lines − order discount: what the merchandise cost after every discount.
    var orderDiscountedValue: Int64
    var pricesIncludeTax: Bool
    var restockingFeeBp: Int32
    var returnShippingFee: Int64
    var merchantAtFault: Bool
    /// REFUND_ONLY: no goods come back, so there is nothing to restock and no return shipment.
    var refundOnly: Bool
    var basis: OrderV1.QuantityBasis

    static func validate(order: OrderV1.Order, afterSaleCase: OrderV1.Case, resolution: OrderV1.Resolution,
                         basis: OrderV1.QuantityBasis, storeCreditExpiresAt: CommonV1.Timestamp?,
                         at now: Date) throws -> SettlementInput {
        var check = FieldValidator()
        let currency = order.currency
        check.currency(currency, "order.currency")
        let reader = AmountReader(currency: currency)

        if !afterSaleCase.currency.isEmpty && afterSaleCase.currency != currency {
            check.fail("case.currency", "is \(afterSaleCase.currency) but the order is in \(currency)")
        }
        if !afterSaleCase.orderID.isEmpty && !order.id.isEmpty && afterSaleCase.orderID != order.id {
            check.fail("case.order_id", "is \(afterSaleCase.orderID) but the order is \(order.id)")
        }
        if resolution.rawValue != 0 { check.known(resolution, "resolution") }
        check.known(basis, "quantity_basis")
        check.timestamp(storeCreditExpiresAt, "store_credit_expires_at")
        if let expiry = storeCreditExpiresAt, expiry.date <= now {
            check.fail("store_credit_expires_at", "must be in the future")
        }

        // Order lines.
        check.count(order.lines, "order.lines", required: true, max: Int(Int32.max))
        var lines: [Line] = []
        var lineIndex: [String: Int] = [:]
        for (i, line) in order.lines.enumerated() {
            let field = "order.lines[\(i)]"
            check.identifier(line.id, "\(field).id")
            if lineIndex.updateValue(i, forKey: line.id) != nil { check.fail("\(field).id", "\(line.id) appears twice") }
            check.positive(line.quantity, "\(field).quantity")
            let quantity = Int64(max(line.quantity, 1))
            let unitPrice = reader.read(line.unitPrice, "\(field).unit_price", required: true, into: &check)
            let lineDiscount = reader.read(line.lineDiscount, "\(field).line_discount", into: &check)
            let tax = reader.read(line.tax, "\(field).tax", into: &check)
            check.range(line.returnedQuantity, 0...max(line.quantity, 0), "\(field).returned_quantity")
            let (gross, overflow) = quantity.multipliedReportingOverflow(by: unitPrice)
            if overflow { check.fail("\(field).unit_price", "quantity × unit price overflows 64-bit minor units") }
            else if lineDiscount > gross {
                check.fail("\(field).line_discount", "exceeds quantity × unit price")
            }
            lines.append(Line(id: line.id, label: line.sku.isEmpty ? line.id : line.sku, quantity: quantity,
                              unitPrice: unitPrice, lineDiscount: lineDiscount, tax: tax,
                              returned: Int64(min(max(line.returnedQuantity, 0), line.quantity)),
                              discountedValue: overflow ? 0 : gross - lineDiscount, orderDiscountShare: 0))
        }
        let orderDiscount = reader.read(order.orderDiscount, "order.order_discount", into: &check)
        let shippingCost = reader.read(order.shippingCost, "order.shipping_cost", into: &check)

        // Payments.
        var payments: [Payment] = []
        for (i, payment) in order.payments.enumerated() {
            let field = "order.payments[\(i)]"
            let captured = reader.read(payment.captured, "\(field).captured", required: true, into: &check)
            let refunded = reader.read(payment.refunded, "\(field).refunded", into: &check)
            if refunded > captured { check.fail("\(field).refunded", "exceeds the captured amount") }
            payments.append(Payment(index: i, id: payment.id, method: payment.method, captured: captured,
                                    refunded: min(refunded, captured),
                                    capturedAt: payment.capturedAt.map(\.epochMicros), caseID: payment.caseID))
        }

        // Fee terms.
        let terms = afterSaleCase.feeTerms ?? OrderV1.FeeTerms()
        check.range(terms.restockingFeeBp, 0...10_000, "case.fee_terms.restocking_fee_bp")
        let returnShippingFee = reader.read(terms.returnShippingFee, "case.fee_terms.return_shipping_fee", into: &check)

        // Case lines.
        check.count(afterSaleCase.lines, "case.lines", required: true, max: Int(Int32.max))
        var units: [Units] = []
        var settling: [Int: Int64] = [:]
        for (i, caseLine) in afterSaleCase.lines.enumerated() {
            let field = "case.lines[\(i)]"
            guard let index = lineIndex[caseLine.orderLineID] else {
                check.fail("\(field).order_line_id", "\(caseLine.orderLineID) is not a line of the order")
                continue
            }
            let ledger = caseLine.quantities ?? OrderV1.QuantityLedger()
            let (quantity, basisField) = basisQuantity(ledger, basis)
            check.nonNegative(quantity, "\(field).quantities.\(basisField)")
            let line = lines[index]
            let before = line.returned + (settling[index] ?? 0)
            let quantity64 = Int64(max(quantity, 0))
            if before + quantity64 > line.quantity {
                check.fail("\(field).quantities.\(basisField)",
                           "\(quantity) units, but only \(line.quantity - before) of order line \(line.id) are left to settle")
            }
            settling[index, default: 0] += quantity64

            let effective = resolution.rawValue != 0 ? resolution : caseLine.requestedResolution
            if resolution.rawValue == 0 { check.known(caseLine.requestedResolution, "\(field).requested_resolution") }
            var exchangeUnitPrice: Int64 = 0
            if effective == .exchange {
                exchangeUnitPrice = reader.read(caseLine.exchangeUnitPrice, "\(field).exchange_unit_price",
                                                required: true, into: &check)
                let (_, overflow) = quantity64.multipliedReportingOverflow(by: exchangeUnitPrice)
                if overflow { check.fail("\(field).exchange_unit_price", "quantity × price overflows 64-bit minor units") }
            }
            units.append(Units(caseLine: caseLine, line: index, quantity: quantity64,
                               settledBefore: min(before, line.quantity), resolution: effective,
                               exchangeUnitPrice: exchangeUnitPrice))
        }
        try check.validate()

        // Order discount, prorated over every line by its discounted value (largest remainder: exact).
        let weightSum = try lines.reduce(Int64(0)) { try Checked.add($0, $1.discountedValue, "order.lines") }
        if orderDiscount > weightSum {
            throw RPCError.invalidArgument("order.order_discount", "exceeds the discounted value of the order lines")
        }
        if orderDiscount > 0 {
            let shares = MoneyMath.allocate(orderDiscount, weights: lines.map(\.discountedValue))
            for index in lines.indices { lines[index].orderDiscountShare = shares[index] }
        }

        return SettlementInput(
            currency: currency, caseID: afterSaleCase.id, lines: lines, units: units, payments: payments,
            orderDiscount: orderDiscount, shippingCost: shippingCost,
            orderDiscountedValue: weightSum - orderDiscount, pricesIncludeTax: order.pricesIncludeTax,
            restockingFeeBp: terms.restockingFeeBp, returnShippingFee: returnShippingFee,
            merchantAtFault: afterSaleCase.merchantAtFault, refundOnly: afterSaleCase.kind == .refundOnly,
            basis: basis)
    }

    /// The ledger quantity the basis names, with the field name for errors.
    private static func basisQuantity(_ ledger: OrderV1.QuantityLedger, _ basis: OrderV1.QuantityBasis) -> (Int32, String) {
        switch basis {
        case .requested: return (ledger.requested, "requested")
        case .approved: return (ledger.approved, "approved")
        default: return (ledger.accepted, "accepted")
        }
    }
}

/// Reads optional `Money` fields that must be non-negative and in the order's currency.
private struct AmountReader {
    let currency: String

    /// The amount in minor units; absent = 0 unless `required`. Problems go to `check` and read as 0.
    func read(_ money: CommonV1.Money?, _ field: String, required: Bool = false,
              into check: inout FieldValidator) -> Int64 {
        guard let money else {
            if required { check.fail(field, "is required") }
            return 0
        }
        if money.currency != currency {
            check.fail("\(field).currency", "is '\(money.currency)' but the order is in \(currency); mixed currencies are not allowed")
            return 0
        }
        if money.minorUnits < 0 {
            check.fail("\(field).minor_units", "must not be negative, got \(money.minorUnits)")
            return 0
        }
        return money.minorUnits
    }
}

/// Overflow-checked sums through ``MoneyMath`` (INVALID_ARGUMENT naming the field instead of a trap).
enum Checked {
    static func add(_ a: Int64, _ b: Int64, _ field: String) throws -> Int64 {
        try MoneyMath.add(CommonV1.Money(currency: "XXX", minorUnits: a),
                          CommonV1.Money(currency: "XXX", minorUnits: b), field: field).minorUnits
    }

    static func sum(_ terms: [Int64], _ field: String) throws -> Int64 {
        try terms.reduce(Int64(0)) { try add($0, $1, field) }
    }

    static func multiply(_ a: Int64, _ b: Int64, _ field: String) throws -> Int64 {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw RPCError.invalidArgument(field, "amount overflows 64-bit minor units") }
        return product
    }
}
