import Foundation
import RPCShared
import ServiceRuntime

/// Facts about a case and its order that the workflows hand to other services. Pure functions.
enum CaseFacts {
    /// The value of the requested units at their discounted line price (what a refund could reach), in the
    /// order's currency.
    static func requestedValue(_ afterSaleCase: OrderV1.Case, order: OrderV1.Order) -> CommonV1.Money {
        var total: Int64 = 0
        for line in afterSaleCase.lines {
            guard let orderLine = order.lines.first(where: { $0.id == line.orderLineID }), orderLine.quantity > 0 else { continue }
            let units = Int64(line.quantities?.requested ?? 0)
            let gross = times(orderLine.unitPrice?.minorUnits ?? 0, units)
            let discount = MoneyMath.scale(orderLine.lineDiscount?.minorUnits ?? 0, by: units, over: Int64(orderLine.quantity))
            total &+= gross - discount
        }
        return CommonV1.Money(currency: order.currency, minorUnits: total)
    }

    /// A price times units, saturating: stored prices are bounded by validation, so this never saturates in
    /// practice, but a risk input must not trap the gateway.
    static func times(_ price: Int64, _ units: Int64) -> Int64 {
        let (product, overflow) = price.multipliedReportingOverflow(by: units)
        return overflow ? (price < 0) != (units < 0) ? .min : .max : product
    }

    static func requestedUnits(_ afterSaleCase: OrderV1.Case) -> Int32 {
        afterSaleCase.lines.reduce(0) { $0 + ($1.quantities?.requested ?? 0) }
    }

    /// The latest delivery among the fulfilments that carried the case's lines; nil when none was delivered.
    static func lastDelivery(of afterSaleCase: OrderV1.Case, in order: OrderV1.Order) -> CommonV1.Timestamp? {
        let lineIDs = Set(afterSaleCase.lines.map(\.orderLineID))
        return order.fulfilments
            .filter { fulfilment in fulfilment.lines.contains { lineIDs.contains($0.orderLineID) } }
            .compactMap(\.deliveredAt)
            .max { $0.date < $1.date }
    }

    /// The warehouse that shipped the case's goods (returns go back there); the order's first fulfilment's when
    /// no fulfilment names one of the case's lines.
    static func warehouse(of afterSaleCase: OrderV1.Case, in order: OrderV1.Order) -> String {
        let lineIDs = Set(afterSaleCase.lines.map(\.orderLineID))
        let fulfilment = order.fulfilments.first { $0.lines.contains { lineIDs.contains($0.orderLineID) } } ?? order.fulfilments.first
        return fulfilment?.warehouseID ?? ""
    }

    /// What the gateway knows of a customer's purchases, for the return-rate factor of the risk model: the most
    /// recent orders (one page of ListOrders), delivered units and totals per currency.
    static func purchaseSummary(_ orders: [OrderV1.Order]) -> CustomerV1.PurchaseSummary {
        var totals: [String: Int64] = [:]
        var units: Int64 = 0
        for order in orders {
            for line in order.lines {
                totals[order.currency, default: 0] &+= times(line.unitPrice?.minorUnits ?? 0, Int64(line.quantity))
                    - (line.lineDiscount?.minorUnits ?? 0)
            }
            for fulfilment in order.fulfilments where fulfilment.deliveredAt != nil {
                units += fulfilment.lines.reduce(0) { $0 + Int64($1.quantity) }
            }
        }
        return CustomerV1.PurchaseSummary(
            ordersCount: Int64(orders.count), unitsPurchased: units,
            purchaseTotals: totals.sorted { $0.key < $1.key }.map { CommonV1.Money(currency: $0.key, minorUnits: $0.value) },
            firstOrderAt: orders.compactMap(\.placedAt).min { $0.date < $1.date })
    }
}

extension CaseFacts {
    /// What goes back to the customer after a REPLACEMENT / EXCHANGE / REPAIR: per line the settled units
    /// (accepted at inspection, or approved when settled before inspection), of the exchange SKU for exchanges.
    static func replacementItems(_ afterSaleCase: OrderV1.Case) -> [LogisticsV1.ShipmentItem] {
        afterSaleCase.lines.compactMap { line -> LogisticsV1.ShipmentItem? in
            let quantities = line.quantities
            let units = (quantities?.accepted ?? 0) > 0 ? quantities?.accepted ?? 0 : quantities?.approved ?? 0
            guard units > 0 else { return nil }
            let sku = afterSaleCase.resolution == .exchange && !line.exchangeSKU.isEmpty ? line.exchangeSKU : line.sku
            return LogisticsV1.ShipmentItem(sku: sku, quantity: units, orderLineID: line.orderLineID)
        }
    }
}
