import RPCShared
import ServiceRuntime

extension RefundCalculator {
    /// How a line's resolution turns into money.
    enum Treatment: Equatable {
        /// REFUND, STORE_CREDIT: the units' value comes back.
        case refund
        /// EXCHANGE: the units' value comes back and the other SKU is paid from it.
        case exchange
        /// REPLACEMENT, REPAIR, DECLINED: goods, not money; every component is 0 and says why.
        case noMoney(String)

        init(_ resolution: OrderV1.Resolution) {
            switch resolution {
            case .refund, .storeCredit: self = .refund
            case .exchange: self = .exchange
            case .replacement: self = .noMoney("same-SKU replacement: the unit is sent again free of charge, nothing is refunded")
            case .repair: self = .noMoney("repair: the unit comes back repaired, no money changes hands")
            default: self = .noMoney("declined: no remedy, the units go back to the customer")
            }
        }

        var settlesMoney: Bool {
            if case .noMoney = self { return false }
            return true
        }
    }

    /// A settled line and the figures the case totals need.
    struct SettledLine {
        var line: OrderV1.SettlementLine
        var treatment: Treatment
        var total: Int64
        /// item value + order-discount share: what outbound shipping is prorated by.
        var discountedValue: Int64
    }

    /// Components 1–6 of docs/CONTRACT.md "Refund math" for one case line.
    static func settleLine(_ units: SettlementInput.Units, _ input: SettlementInput,
                           notes: inout [String]) throws -> SettledLine {
        let currency = input.currency
        let line = input.lines[units.line]
        let (q, lineQuantity, before) = (units.quantity, line.quantity, units.settledBefore)
        let treatment = Treatment(units.resolution)
        func money(_ amount: Int64, _ text: String) -> OrderV1.ExplainedMoney { .init(amount, currency, text) }
        func fmt(_ amount: Int64) -> String { OrderV1.ExplainedMoney.format(amount, currency) }
        var settlement = OrderV1.SettlementLine(
            caseLineID: units.caseLine.id, orderLineID: line.id, sku: units.caseLine.sku.isEmpty ? line.label : units.caseLine.sku,
            quantity: Int32(clamping: q), quantityBasis: input.basis)

        if case .noMoney(let reason) = treatment {
            let components: [WritableKeyPath<OrderV1.SettlementLine, OrderV1.ExplainedMoney?>] =
                [\.itemValue, \.orderDiscountShare, \.taxShare, \.restockingFee, \.replacementPrice, \.lineTotal]
            for keyPath in components {
                settlement[keyPath: keyPath] = money(0, reason)
            }
            return SettledLine(line: settlement, treatment: treatment, total: 0, discountedValue: 0)
        }

        let proration = line.proration
        let fraction = "\(q)/\(lineQuantity)"
        /// Says when a share carries the rounding remainder of other units, in the sentence and in the notes.
        func remainder(_ share: UnitProration.Share, of amount: Int64, _ what: String) -> String {
            guard share.carriesRemainder else { return "" }
            notes.append("\(what) of line \(line.label): units \(before + 1)–\(before + q) of \(lineQuantity) take "
                + "\(fmt(share.amount)) instead of \(fmt(share.plain)) so that all units together carry exactly \(fmt(amount))")
            return " (\(fmt(share.amount)) with the rounding remainder of the line's other units)"
        }

        // 1. item value
        let discount = proration.share(of: line.lineDiscount, units: q, after: before)
        let itemValue = q * line.unitPrice - discount.amount  // q ≤ Q and Q × unit price was checked
        var itemText = "\(q) × \(fmt(line.unitPrice))"
        if line.lineDiscount > 0 {
            itemText += " − \(fmt(line.lineDiscount)) × \(fraction)" + remainder(discount, of: line.lineDiscount, "line discount")
        }
        settlement.itemValue = money(itemValue, itemText)

        // 2. order discount share
        let orderShare = proration.share(of: line.orderDiscountShare, units: q, after: before)
        var orderText = "no order discount"
        if input.orderDiscount > 0 {
            orderText = "order discount \(fmt(input.orderDiscount)) × \(fmt(line.discountedValue))/"
                + "\(fmt(input.orderDiscountedValue + input.orderDiscount)) = \(fmt(line.orderDiscountShare)) on line "
                + "\(line.label), × \(fraction)" + remainder(orderShare, of: line.orderDiscountShare, "order discount share")
        }
        settlement.orderDiscountShare = money(-orderShare.amount, orderText)

        // 3. tax share
        var tax: Int64 = 0
        if input.pricesIncludeTax {
            settlement.taxShare = money(0, "included in the item value (prices include tax)")
        } else if line.tax == 0 {
            settlement.taxShare = money(0, "no tax on this line")
        } else {
            let share = proration.share(of: line.tax, units: q, after: before)
            tax = share.amount
            settlement.taxShare = money(tax, "line tax \(fmt(line.tax)) × \(fraction)" + remainder(share, of: line.tax, "tax"))
        }

        // 4. restocking fee, on the value after both discounts (never on tax)
        let discountedValue = itemValue - orderShare.amount
        var restocking: Int64 = 0
        if input.merchantAtFault {
            settlement.restockingFee = money(0, "waived: merchant at fault")
        } else if input.refundOnly {
            settlement.restockingFee = money(0, "none: refund only, nothing comes back to restock")
        } else if input.restockingFeeBp == 0 {
            settlement.restockingFee = money(0, "no restocking fee in the return policy")
        } else {
            let base = max(discountedValue, 0)
            restocking = -MoneyMath.basisPoints(base, input.restockingFeeBp)
            settlement.restockingFee = money(restocking, "\(OrderV1.ExplainedMoney.percent(input.restockingFeeBp)) of \(fmt(base))")
        }

        // 5. replacement price (EXCHANGE only)
        var replacement: Int64 = 0
        if treatment == .exchange {
            replacement = -(q * units.exchangeUnitPrice)  // overflow checked by the validation
            let target = units.caseLine.exchangeSKU.isEmpty ? "the exchange item" : units.caseLine.exchangeSKU
            settlement.replacementPrice = money(replacement, "\(q) × \(fmt(units.exchangeUnitPrice)) for \(target)")
        } else {
            settlement.replacementPrice = money(0, "not an exchange")
        }

        // 6. line total
        let terms = [itemValue, -orderShare.amount, tax, restocking, replacement]
        let total = try Checked.sum(terms, "case.lines.line_total")
        let shown = terms.filter { $0 != 0 }
        settlement.lineTotal = money(total, shown.count > 1
            ? "\(OrderV1.ExplainedMoney.sum(shown, currency)) = \(fmt(total))" : "\(fmt(total))")
        return SettledLine(line: settlement, treatment: treatment, total: total, discountedValue: discountedValue)
    }
}
