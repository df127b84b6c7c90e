import RPCShared

/// Money for people: minor units written out with the currency's decimals, by integer arithmetic only (a Double
/// cannot hold 0.10 exactly, and a demo of refund math must not print 15.039999).
enum DemoMoney {
    /// ISO 4217 currencies without minor units, and those with three decimals; every other one has two.
    private static let noDecimals: Set<String> = ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
                                                  "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"]
    private static let threeDecimals: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]

    /// 1599 EUR → "15.99", −495 EUR → "−4.95", 1599 JPY → "1599", 1599 KWD → "1.599".
    static func amount(_ minorUnits: Int64, currency: String) -> String {
        let decimals = noDecimals.contains(currency) ? 0 : threeDecimals.contains(currency) ? 3 : 2
        var digits = String(minorUnits.magnitude)
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals + 1 - digits.count) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
        }
        return (minorUnits < 0 ? "−" : "") + digits
    }

    /// "15.99 EUR"; "—" when absent.
    static func text(_ money: CommonV1.Money?) -> String {
        guard let money else { return "—" }
        return "\(amount(money.minorUnits, currency: money.currency)) \(money.currency)"
    }
}

extension ProtoEnum {
    /// The value's proto name without its enum's prefix: CASE_STATUS_IN_TRANSIT → "IN_TRANSIT". The prefix is the
    /// enum's name in UPPER_SNAKE (CONTRACT.md: every value carries it), so no per-enum table is needed.
    var shortName: String {
        guard let name = protoName else { return "\(rawValue)" }
        var prefix = ""
        for character in String(describing: Self.self) {
            if character.isUppercase, !prefix.isEmpty { prefix += "_" }
            prefix += character.uppercased()
        }
        prefix += "_"
        return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
    }
}

/// What the demo prints about a case: one-line summaries after steps, and the timeline and settlement breakdown
/// after each workflow.
enum DemoReport {
    /// "case case_… APPROVED (version 2)".
    static func summary(_ view: GatewayV1.CaseView) -> String {
        let afterSaleCase = view.afterSaleCase ?? .init()
        return "case \(afterSaleCase.id) \(afterSaleCase.status.shortName) (version \(afterSaleCase.version))"
    }

    /// The risk verdict, when the gateway could load it.
    static func risk(_ view: GatewayV1.CaseView) -> String? {
        guard let risk = view.risk else { return nil }
        return "risk \(risk.decision.shortName), score \(risk.score)\(risk.summary.isEmpty ? "" : ": \(risk.summary)")"
    }

    /// One line per shipment of `kind`: id, carrier, method, tracking number, status.
    static func shipments(_ view: GatewayV1.CaseView, kind: LogisticsV1.ShipmentKind) -> [String] {
        view.shipments.filter { $0.kind == kind }.map { shipment in
            var parts = ["\(kind.shortName.lowercased()) shipment \(shipment.id)", "carrier \(shipment.carrierID)"]
            if shipment.method != .unspecified { parts.append(shipment.method.shortName) }
            if !shipment.trackingNumber.isEmpty { parts.append("tracking \(shipment.trackingNumber)") }
            parts.append(shipment.status.shortName)
            return parts.joined(separator: ", ")
        }
    }

    /// One line per refund: amount, destination, payment, status.
    static func refunds(_ refunds: [OrderV1.Refund]) -> [String] {
        refunds.map { refund in
            "refund \(refund.id): \(DemoMoney.text(refund.amount)) → \(refund.destination.shortName) (payment \(refund.paymentID)), \(refund.status.shortName)"
                + (refund.failureReason.isEmpty ? "" : " — \(refund.failureReason)")
        }
    }

    /// The timeline, oldest first: sequence, time, actor, from → to status, sentence.
    static func timeline(_ entries: [OrderV1.TimelineEntry]) -> [String] {
        let actors = entries.map { entry in
            guard let actor = entry.actor else { return "?" }
            return "\(actor.kind.shortName.lowercased()) \(actor.id)"
        }
        let moves = entries.map { entry in
            "\(entry.fromStatus == .unspecified ? "—" : entry.fromStatus.shortName) → \(entry.toStatus.shortName)"
        }
        let (actorWidth, moveWidth) = (actors.map(\.count).max() ?? 0, moves.map(\.count).max() ?? 0)
        return entries.indices.map { index in
            let entry = entries[index]
            let time = entry.occurredAt.flatMap { RFC3339.format(seconds: $0.seconds, nanos: 0) } ?? "?"
            return "\(pad(String(entry.sequence), 3, left: true))  \(time)  \(pad(actors[index], actorWidth))  \(pad(moves[index], moveWidth))  \(entry.message)"
        }
    }

    /// The settlement: per line its components, then the case totals and where the money goes. Every amount is
    /// shown with the sentence OrderService wrote for it.
    static func settlement(_ settlement: OrderV1.Settlement) -> [String] {
        var rows: [(String, OrderV1.ExplainedMoney?)] = []
        var lines = ["\(settlement.isFinal ? "final" : "quote"), resolution \(settlement.resolution.shortName), \(settlement.currency)"]
        for line in settlement.lines {
            rows.append(("\(line.sku) × \(line.quantity) (\(line.quantityBasis.shortName.lowercased()) units)", nil))
            rows.append(("  item value", line.itemValue))
            rows.append(("  order discount share", line.orderDiscountShare))
            rows.append(("  tax share", line.taxShare))
            rows.append(("  restocking fee", line.restockingFee))
            if (line.replacementPrice?.amount?.minorUnits ?? 0) != 0 { rows.append(("  replacement price", line.replacementPrice)) }
            rows.append(("  line total", line.lineTotal))
        }
        rows.append(("items total", settlement.itemsTotal))
        rows.append(("outbound shipping", settlement.outboundShipping))
        rows.append(("return shipping fee", settlement.returnShippingFee))
        if (settlement.exchangeDifference?.amount?.minorUnits ?? 0) != 0 { rows.append(("exchange difference", settlement.exchangeDifference)) }
        rows.append(("customer paid", settlement.customerPaid))
        rows.append(("total refundable", settlement.totalRefundable))
        rows.append(("refundable cap", settlement.refundableCap))
        rows.append(("refund total", settlement.refundTotal))
        rows.append(("customer owes", settlement.customerOwes))
        let amounts = rows.map { _, money in money.map { DemoMoney.amount($0.amount?.minorUnits ?? 0, currency: settlement.currency) } ?? "" }
        let labelWidth = rows.map(\.0.count).max() ?? 0
        let amountWidth = amounts.map(\.count).max() ?? 0
        for ((label, money), amount) in zip(rows, amounts) {
            guard let money else {
                lines.append(label)
                continue
            }
            let explanation = money.explanation.isEmpty ? "" : "  \(money.explanation)"
            lines.append("\(pad(label, labelWidth))  \(pad(amount, amountWidth, left: true))\(explanation)")
        }
        for allocation in settlement.allocations {
            lines.append("→ \(DemoMoney.text(allocation.amount)) to \(allocation.destination.shortName) via \(allocation.method.shortName) payment \(allocation.paymentID)"
                + (allocation.explanation.isEmpty ? "" : ": \(allocation.explanation)"))
        }
        lines += settlement.notes.map { "note: \($0)" }
        return lines
    }

    /// Prints the timeline and the settlement (the final one, else the gateway's quote) of the case in `view`.
    static func printCase(_ view: GatewayV1.CaseView) {
        say("  timeline:")
        for line in timeline(view.timeline) { say("    \(line)") }
        if let settlement = view.afterSaleCase?.settlement ?? view.settlement {
            say("  settlement:")
            for line in self.settlement(settlement) { say("    \(line)") }
        } else {
            say("  settlement: not in the view\(view.unavailableSections.isEmpty ? "" : " (unavailable: \(view.unavailableSections.joined(separator: ", ")))")")
        }
    }

    /// "a" or "an" before `word` (by its first letter: "an EXCHANGE case", "a REPAIR_WARRANTY case").
    static func article(_ word: String) -> String {
        "AEIOUaeiou".contains(word.first ?? "x") ? "an" : "a"
    }

    private static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return left ? padding + text : text + padding
    }
}
