import RPCShared
import ServiceRuntime

/// The per-order-line unit ledger: how many units were ordered, shipped, delivered, returned and are on open
/// cases, and the invariant `Σ open-case units + returned ≤ delivered` (docs/CONTRACT.md "Quantity ledger").
/// Pure: it is given the order and the cases and decides; the store calls it inside the write transaction that
/// inserts the case, so concurrent OpenCase calls cannot both see the same free units.
public enum OrderLineLedger {
    /// Units of each order line in fulfilments that were delivered.
    public static func delivered(_ order: OrderV1.Order) -> [String: Int] {
        var units: [String: Int] = [:]
        for fulfilment in order.fulfilments where fulfilment.deliveredAt != nil {
            for line in fulfilment.lines { units[line.orderLineID, default: 0] += Int(line.quantity) }
        }
        return units
    }

    /// Units of each order line in any fulfilment (delivered or not).
    public static func shipped(_ order: OrderV1.Order) -> [String: Int] {
        var units: [String: Int] = [:]
        for fulfilment in order.fulfilments {
            for line in fulfilment.lines { units[line.orderLineID, default: 0] += Int(line.quantity) }
        }
        return units
    }

    /// The units a case holds per order line: requested before review, approved after; none once it was
    /// settled (its units moved to `returned_quantity`) or when it is no longer open.
    public static func openUnits(_ afterSaleCase: OrderV1.Case) -> [String: Int] {
        guard CaseStateMachine.holdsUnits.contains(afterSaleCase.status), !wasSettled(afterSaleCase) else { return [:] }
        let beforeReview = afterSaleCase.status == .requested || afterSaleCase.status == .reopened
        var units: [String: Int] = [:]
        for line in afterSaleCase.lines {
            let ledger = line.quantities ?? .init()
            units[line.orderLineID, default: 0] += Int(beforeReview ? ledger.requested : ledger.approved)
        }
        return units
    }

    /// A case whose final settlement moved its units into `returned_quantity` (a reopened case keeps it).
    public static func wasSettled(_ afterSaleCase: OrderV1.Case) -> Bool {
        afterSaleCase.settlement?.isFinal == true
    }

    /// The units a final settlement moves into `OrderLine.returned_quantity`, per order line: accepted units
    /// after inspection, approved units for refund-only and instant refunds (their settlement basis). None for
    /// REPAIR and DECLINED: the customer gets the same units back and may claim on them again (a repaired item
    /// can fail again within its warranty).
    public static func settledUnits(_ afterSaleCase: OrderV1.Case, basis: OrderV1.QuantityBasis,
                                    resolution: OrderV1.Resolution) -> [String: Int] {
        if resolution == .repair || resolution == .declined { return [:] }
        var units: [String: Int] = [:]
        for line in afterSaleCase.lines {
            let ledger = line.quantities ?? .init()
            let quantity = basis == .accepted ? ledger.accepted : ledger.approved
            if quantity > 0 { units[line.orderLineID, default: 0] += Int(quantity) }
        }
        return units
    }

    /// `order` with `open_case_quantity` filled from `cases` (those of this order).
    public static func withOpenQuantities(_ order: OrderV1.Order, cases: [OrderV1.Case]) -> OrderV1.Order {
        var open: [String: Int] = [:]
        for afterSaleCase in cases { open.merge(openUnits(afterSaleCase), uniquingKeysWith: +) }
        var order = order
        for index in order.lines.indices { order.lines[index].openCaseQuantity = Int32(open[order.lines[index].id] ?? 0) }
        return order
    }

    /// The units of each line a new (or reopened) case may still claim: delivered (ordered, for refund-only
    /// cases, which need no goods back) − returned − on other open cases.
    public static func available(_ order: OrderV1.Order, openCases: [OrderV1.Case],
                                 kind: OrderV1.CaseKind) -> [String: Int] {
        let delivered = delivered(order)
        var open: [String: Int] = [:]
        for afterSaleCase in openCases { open.merge(openUnits(afterSaleCase), uniquingKeysWith: +) }
        var result: [String: Int] = [:]
        for line in order.lines {
            let bound = kind == .refundOnly ? Int(line.quantity) : delivered[line.id] ?? 0
            result[line.id] = bound - Int(line.returnedQuantity) - (open[line.id] ?? 0)
        }
        return result
    }

    /// Fails with FAILED_PRECONDITION `QUANTITY_EXCEEDED` when `wanted` (order line id → units) asks for more
    /// than ``available(_:openCases:kind:)``.
    public static func check(_ wanted: [String: Int], order: OrderV1.Order, openCases: [OrderV1.Case],
                             kind: OrderV1.CaseKind) throws {
        let free = available(order, openCases: openCases, kind: kind)
        for (lineID, units) in wanted.sorted(by: { $0.key < $1.key }) {
            let left = free[lineID] ?? 0
            if units > left {
                let bound = kind == .refundOnly ? "ordered" : "delivered"
                throw RPCError.failedPrecondition(
                    "QUANTITY_EXCEEDED",
                    "order line \(lineID) has \(max(left, 0)) unit(s) left to claim (\(bound) − returned − on open cases); \(units) asked",
                    resource: "order/\(order.id)",
                    metadata: ["order_line_id": lineID, "available": "\(max(left, 0))", "requested": "\(units)"])
            }
        }
    }
}
