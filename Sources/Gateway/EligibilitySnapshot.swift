import RPCShared
import ServiceRuntime

/// The per-line facts ProductService judges eligibility on, taken from the order (pure: no I/O).
///
/// - delivered = units of the line in fulfilments that have `delivered_at`;
/// - delivered_at = the latest of those deliveries (a window runs from when the last of the units arrived, which is
///   the reading most favourable to the customer when a line came in several parcels);
/// - returned = units already accepted back (`returned_quantity`) plus units on open cases (`open_case_quantity`);
/// - requested quantity 0 = every unit still returnable: delivered − returned, or — for a line not delivered at
///   all (a refund-only claim for a lost parcel) — ordered − returned.
public enum EligibilitySnapshot {
    /// Lines of `order` to check: `query` in its order, or every order line when `query` is empty.
    /// INVALID_ARGUMENT `lines[i].order_line_id` for a line the order does not have.
    public static func lines(order: OrderV1.Order, query: [GatewayV1.EligibilityQueryLine]) throws -> [ProductV1.EligibilityLine] {
        let query = query.isEmpty ? order.lines.map { GatewayV1.EligibilityQueryLine(orderLineID: $0.id) } : query
        var check = FieldValidator()
        var result: [ProductV1.EligibilityLine] = []
        for (index, asked) in query.enumerated() {
            guard let line = order.lines.first(where: { $0.id == asked.orderLineID }) else {
                check.fail("lines[\(index)].order_line_id", "order \(order.id) has no line '\(asked.orderLineID.prefix(64))'")
                continue
            }
            result.append(snapshot(of: line, in: order, asked: asked))
        }
        try check.validate()
        return result
    }

    /// The snapshot of one order line for query line `asked`.
    public static func snapshot(of line: OrderV1.OrderLine, in order: OrderV1.Order,
                                asked: GatewayV1.EligibilityQueryLine) -> ProductV1.EligibilityLine {
        var delivered: Int32 = 0
        var deliveredAt: CommonV1.Timestamp?
        for fulfilment in order.fulfilments {
            guard let at = fulfilment.deliveredAt else { continue }
            let units = fulfilment.lines.filter { $0.orderLineID == line.id }.reduce(Int32(0)) { $0 + $1.quantity }
            guard units > 0 else { continue }
            delivered += units
            if deliveredAt.map({ $0.epochMicros < at.epochMicros }) ?? true { deliveredAt = at }
        }
        let returned = line.returnedQuantity + line.openCaseQuantity
        let requested = asked.quantity > 0 ? asked.quantity : max(0, (delivered > 0 ? delivered : line.quantity) - returned)
        return ProductV1.EligibilityLine(
            orderLineID: line.id, sku: line.sku, productID: line.productID, deliveredQuantity: delivered,
            returnedQuantity: returned, deliveredAt: deliveredAt, requestedQuantity: requested,
            requestedResolution: asked.requestedResolution, reason: asked.reason)
    }
}
