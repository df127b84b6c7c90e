import RPCShared

// The two benchmark messages, described once in plain Swift values and then built from that description in both
// libraries: AfterSale's generated value types (RPCShared, encoded by libprotobuf-c) and the apple/swift-protobuf
// 1.39 code generated from the same .proto files (SwiftProtobufGenerated/, `Aftersale_*` types).
//
// small: an aftersale.order.v1.OrderLine (~100 B encoded).
// caseDetail: an aftersale.order.v1.Case as GetCase returns it after resolution: 4 case lines with inspections and
// evidence, fee terms, and the full settlement (4 settlement lines, every total explained, one payment allocation,
// notes), ~2 KB encoded. (Case has no timeline field; timelines are a separate message.)

// MARK: - The values

struct MoneySpec {
    var currency = "EUR"
    var minorUnits: Int64
}

struct InspectionSpec {
    var accepted: Int32
    var rejected: Int32
    var disposition: Int32          // Disposition
    var rejectedDisposition: Int32
    var findings: [Int32]           // InspectionFinding
    var notes: String
    var serialNumber: String
}

struct CaseLineSpec {
    var id: String
    var orderLineID: String
    var sku: String
    var productID: String
    var categoryID: String
    var reason: Int32               // ReasonCode
    var reasonText: String
    var requestedResolution: Int32  // Resolution
    var quantities: (requested: Int32, approved: Int32, received: Int32, accepted: Int32, rejected: Int32)
    var inspection: InspectionSpec
    var evidenceURLs: [String]
}

struct ExplainedSpec {
    var minorUnits: Int64
    var explanation: String
}

struct SettlementLineSpec {
    var caseLineID: String
    var orderLineID: String
    var sku: String
    var quantity: Int32
    var itemValue: ExplainedSpec
    var orderDiscountShare: ExplainedSpec
    var taxShare: ExplainedSpec
    var restockingFee: ExplainedSpec
    var lineTotal: ExplainedSpec
}

enum Spec {
    static let orderLine = (
        id: "ol_8Kq2Vn4R",
        sku: "TS-ORG-BLK-M",
        productID: "prd_5Hx9Tm2C",
        categoryID: "tops",
        title: "Organic tee, black, M",
        quantity: Int32(2),
        unitPrice: MoneySpec(minorUnits: 2990),
        lineDiscount: MoneySpec(minorUnits: 500),
        tax: MoneySpec(minorUnits: 875),
        returnedQuantity: Int32(0),
        openCaseQuantity: Int32(1)
    )

    static let caseLines: [CaseLineSpec] = [
        CaseLineSpec(
            id: "cl_01J9Z3K7A1", orderLineID: "ol_8Kq2Vn4R", sku: "TS-ORG-BLK-M", productID: "prd_5Hx9Tm2C",
            categoryID: "apparel.tops", reason: 1 /* SIZE_FIT */, reasonText: "Runs small, need an L",
            requestedResolution: 1 /* REFUND */, quantities: (2, 2, 2, 2, 0),
            inspection: InspectionSpec(accepted: 2, rejected: 0, disposition: 1 /* RESTOCK */, rejectedDisposition: 0,
                                       findings: [1 /* AS_DESCRIBED */], notes: "Tags on, unworn", serialNumber: ""),
            evidenceURLs: []),
        CaseLineSpec(
            id: "cl_01J9Z3K7A2", orderLineID: "ol_8Kq2Vn4S", sku: "HD-ZIP-GRY-L", productID: "prd_5Hx9Tm3D",
            categoryID: "apparel.outerwear", reason: 2 /* DEFECTIVE */, reasonText: "Zip broke after first wear",
            requestedResolution: 1, quantities: (1, 1, 1, 1, 0),
            inspection: InspectionSpec(accepted: 1, rejected: 0, disposition: 2 /* REFURBISH */, rejectedDisposition: 0,
                                       findings: [2 /* FAULT_CONFIRMED */], notes: "Zip slider cracked", serialNumber: ""),
            evidenceURLs: ["https://media.example.com/ev/cs_7QF2/zip-1.jpg"]),
        CaseLineSpec(
            id: "cl_01J9Z3K7A3", orderLineID: "ol_8Kq2Vn4T", sku: "EB-PRO-WHT", productID: "prd_7Jw1Rk8E",
            categoryID: "electronics.audio", reason: 8 /* WARRANTY_FAULT */, reasonText: "Left earbud does not charge",
            requestedResolution: 1, quantities: (1, 1, 1, 0, 1),
            inspection: InspectionSpec(accepted: 0, rejected: 1, disposition: 0, rejectedDisposition: 4 /* RETURN_TO_CUSTOMER */,
                                       findings: [3 /* NO_FAULT_FOUND */, 7 /* USED_OR_WORN */],
                                       notes: "Charges fine on test rig", serialNumber: "SN4C7X91B2"),
            evidenceURLs: ["https://media.example.com/ev/cs_7QF2/bud-1.mp4"]),
        CaseLineSpec(
            id: "cl_01J9Z3K7A4", orderLineID: "ol_8Kq2Vn4U", sku: "SK-WOOL-NVY", productID: "prd_2Lp6Qs4F",
            categoryID: "apparel.accessories", reason: 4 /* NOT_AS_DESCRIBED */, reasonText: "Colour is not navy",
            requestedResolution: 1, quantities: (3, 3, 3, 3, 0),
            inspection: InspectionSpec(accepted: 3, rejected: 0, disposition: 1, rejectedDisposition: 0,
                                       findings: [1], notes: "", serialNumber: ""),
            evidenceURLs: []),
    ]

    static let settlementLines: [SettlementLineSpec] = [
        SettlementLineSpec(
            caseLineID: "cl_01J9Z3K7A1", orderLineID: "ol_8Kq2Vn4R", sku: "TS-ORG-BLK-M", quantity: 2,
            itemValue: ExplainedSpec(minorUnits: 5480, explanation: "2 × 29.90 − 5.00 discount"),
            orderDiscountShare: ExplainedSpec(minorUnits: -274, explanation: "5% order discount"),
            taxShare: ExplainedSpec(minorUnits: 0, explanation: "tax incl."),
            restockingFee: ExplainedSpec(minorUnits: 0, explanation: "none"),
            lineTotal: ExplainedSpec(minorUnits: 5206, explanation: "54.80 − 2.74")),
        SettlementLineSpec(
            caseLineID: "cl_01J9Z3K7A2", orderLineID: "ol_8Kq2Vn4S", sku: "HD-ZIP-GRY-L", quantity: 1,
            itemValue: ExplainedSpec(minorUnits: 6990, explanation: "1 × 69.90"),
            orderDiscountShare: ExplainedSpec(minorUnits: -350, explanation: "5% order discount"),
            taxShare: ExplainedSpec(minorUnits: 0, explanation: "tax incl."),
            restockingFee: ExplainedSpec(minorUnits: 0, explanation: "waived: defect"),
            lineTotal: ExplainedSpec(minorUnits: 6640, explanation: "69.90 − 3.50")),
        SettlementLineSpec(
            caseLineID: "cl_01J9Z3K7A3", orderLineID: "ol_8Kq2Vn4T", sku: "EB-PRO-WHT", quantity: 0,
            itemValue: ExplainedSpec(minorUnits: 0, explanation: "0 accepted"),
            orderDiscountShare: ExplainedSpec(minorUnits: 0, explanation: "n/a"),
            taxShare: ExplainedSpec(minorUnits: 0, explanation: "tax incl."),
            restockingFee: ExplainedSpec(minorUnits: 0, explanation: "n/a"),
            lineTotal: ExplainedSpec(minorUnits: 0, explanation: "rejected")),
        SettlementLineSpec(
            caseLineID: "cl_01J9Z3K7A4", orderLineID: "ol_8Kq2Vn4U", sku: "SK-WOOL-NVY", quantity: 3,
            itemValue: ExplainedSpec(minorUnits: 5970, explanation: "3 × 19.90"),
            orderDiscountShare: ExplainedSpec(minorUnits: -299, explanation: "5% order discount"),
            taxShare: ExplainedSpec(minorUnits: 0, explanation: "tax incl."),
            restockingFee: ExplainedSpec(minorUnits: 0, explanation: "waived"),
            lineTotal: ExplainedSpec(minorUnits: 5671, explanation: "59.70 − 2.99")),
    ]

    static let settlement = (
        itemsTotal: ExplainedSpec(minorUnits: 17517, explanation: "sum of line totals"),
        outboundShipping: ExplainedSpec(minorUnits: 0, explanation: "not refunded"),
        returnShippingFee: ExplainedSpec(minorUnits: 0, explanation: "waived: merchant at fault"),
        exchangeDifference: ExplainedSpec(minorUnits: 0, explanation: "no exchange lines"),
        customerPaid: ExplainedSpec(minorUnits: 0, explanation: "none"),
        totalRefundable: ExplainedSpec(minorUnits: 17517, explanation: "175.17 + 0 + 0 + 0"),
        refundableCap: ExplainedSpec(minorUnits: 25360, explanation: "card captured 253.60"),
        refundTotal: ExplainedSpec(minorUnits: 17517, explanation: "min(175.17, 253.60)"),
        customerOwes: ExplainedSpec(minorUnits: 0, explanation: "nothing owed"),
        allocation: (paymentID: "pay_3Nf8Wc1Z", method: Int32(1) /* CARD */, remaining: Int64(25360),
                     destination: Int32(1) /* ORIGINAL_PAYMENT */, amount: Int64(17517),
                     explanation: "back to the card, ending 4242"),
        computedAt: (seconds: Int64(1_763_742_600), nanos: Int32(125_000_000)),
        notes: ["rounded per line, half-even", "return fee waived"]
    )

    static let caseHeader = (
        id: "cs_01J9Z3K7QF2", orderID: "ord_01J9Y8M2XT", customerID: "cus_01J7A4B9PD",
        kind: Int32(1) /* RETURN_REFUND */, status: Int32(8) /* RESOLVED */, market: "DE", currency: "EUR",
        merchantAtFault: true, instantRefund: false,
        feeTerms: (policyID: "pol_de_apparel_v7", restockingFeeBp: Int32(1500), returnShippingFee: MoneySpec(minorUnits: 495)),
        authorisationExpiresAt: Int64(1_764_950_400),
        returnShipmentID: "shp_01J9Z4R2HC",
        resolution: Int32(1) /* REFUND */,
        statusReason: "",
        version: Int64(11),
        createdAt: Int64(1_763_395_200), updatedAt: Int64(1_763_742_600), resolvedAt: Int64(1_763_742_600)
    )
}

// MARK: - AfterSale (RPCShared)

enum AfterSaleFixtures {
    static func money(_ m: MoneySpec) -> CommonV1.Money { CommonV1.Money(currency: m.currency, minorUnits: m.minorUnits) }
    static func explained(_ e: ExplainedSpec) -> OrderV1.ExplainedMoney {
        OrderV1.ExplainedMoney(amount: CommonV1.Money(currency: "EUR", minorUnits: e.minorUnits), explanation: e.explanation)
    }

    static func orderLine() -> OrderV1.OrderLine {
        let s = Spec.orderLine
        var m = OrderV1.OrderLine()
        m.id = s.id
        m.sku = s.sku
        m.productID = s.productID
        m.categoryID = s.categoryID
        m.title = s.title
        m.quantity = s.quantity
        m.unitPrice = money(s.unitPrice)
        m.lineDiscount = money(s.lineDiscount)
        m.tax = money(s.tax)
        m.returnedQuantity = s.returnedQuantity
        m.openCaseQuantity = s.openCaseQuantity
        return m
    }

    static func caseDetail() -> OrderV1.Case {
        let h = Spec.caseHeader
        var c = OrderV1.Case()
        c.id = h.id
        c.orderID = h.orderID
        c.customerID = h.customerID
        c.kind = OrderV1.CaseKind(rawValue: h.kind)
        c.status = OrderV1.CaseStatus(rawValue: h.status)
        c.lines = Spec.caseLines.map { l in
            var line = OrderV1.CaseLine()
            line.id = l.id
            line.orderLineID = l.orderLineID
            line.sku = l.sku
            line.productID = l.productID
            line.categoryID = l.categoryID
            line.reason = OrderV1.ReasonCode(rawValue: l.reason)
            line.reasonText = l.reasonText
            line.requestedResolution = OrderV1.Resolution(rawValue: l.requestedResolution)
            line.quantities = OrderV1.QuantityLedger(
                requested: l.quantities.requested, approved: l.quantities.approved, received: l.quantities.received,
                accepted: l.quantities.accepted, rejected: l.quantities.rejected)
            var inspection = OrderV1.LineInspection()
            inspection.caseLineID = l.id
            inspection.acceptedQuantity = l.inspection.accepted
            inspection.rejectedQuantity = l.inspection.rejected
            inspection.disposition = OrderV1.Disposition(rawValue: l.inspection.disposition)
            inspection.rejectedDisposition = OrderV1.Disposition(rawValue: l.inspection.rejectedDisposition)
            inspection.findings = l.inspection.findings.map { OrderV1.InspectionFinding(rawValue: $0) }
            inspection.notes = l.inspection.notes
            inspection.serialNumber = l.inspection.serialNumber
            line.inspection = inspection
            line.evidenceURLs = l.evidenceURLs
            return line
        }
        c.market = h.market
        c.currency = h.currency
        c.merchantAtFault = h.merchantAtFault
        c.instantRefund = h.instantRefund
        c.feeTerms = OrderV1.FeeTerms(policyID: h.feeTerms.policyID, restockingFeeBp: h.feeTerms.restockingFeeBp,
                                      returnShippingFee: money(h.feeTerms.returnShippingFee))
        c.authorisationExpiresAt = CommonV1.Timestamp(seconds: h.authorisationExpiresAt)
        c.returnShipmentID = h.returnShipmentID
        c.resolution = OrderV1.Resolution(rawValue: h.resolution)

        let s = Spec.settlement
        var settlement = OrderV1.Settlement()
        settlement.currency = h.currency
        settlement.resolution = OrderV1.Resolution(rawValue: h.resolution)
        settlement.lines = Spec.settlementLines.map { l in
            var line = OrderV1.SettlementLine()
            line.caseLineID = l.caseLineID
            line.orderLineID = l.orderLineID
            line.sku = l.sku
            line.quantity = l.quantity
            line.quantityBasis = .accepted
            line.itemValue = explained(l.itemValue)
            line.orderDiscountShare = explained(l.orderDiscountShare)
            line.taxShare = explained(l.taxShare)
            line.restockingFee = explained(l.restockingFee)
            line.lineTotal = explained(l.lineTotal)
            return line
        }
        settlement.itemsTotal = explained(s.itemsTotal)
        settlement.outboundShipping = explained(s.outboundShipping)
        settlement.returnShippingFee = explained(s.returnShippingFee)
        settlement.exchangeDifference = explained(s.exchangeDifference)
        settlement.customerPaid = explained(s.customerPaid)
        settlement.totalRefundable = explained(s.totalRefundable)
        settlement.refundableCap = explained(s.refundableCap)
        settlement.refundTotal = explained(s.refundTotal)
        settlement.customerOwes = explained(s.customerOwes)
        var allocation = OrderV1.PaymentAllocation()
        allocation.paymentID = s.allocation.paymentID
        allocation.method = OrderV1.PaymentMethod(rawValue: s.allocation.method)
        allocation.remainingRefundable = CommonV1.Money(currency: "EUR", minorUnits: s.allocation.remaining)
        allocation.destination = OrderV1.RefundDestination(rawValue: s.allocation.destination)
        allocation.amount = CommonV1.Money(currency: "EUR", minorUnits: s.allocation.amount)
        allocation.explanation = s.allocation.explanation
        settlement.allocations = [allocation]
        settlement.isFinal = true
        settlement.computedAt = CommonV1.Timestamp(seconds: s.computedAt.seconds, nanos: s.computedAt.nanos)
        settlement.notes = s.notes
        c.settlement = settlement

        c.statusReason = h.statusReason
        c.version = h.version
        c.createdAt = CommonV1.Timestamp(seconds: h.createdAt)
        c.updatedAt = CommonV1.Timestamp(seconds: h.updatedAt)
        c.resolvedAt = CommonV1.Timestamp(seconds: h.resolvedAt)
        return c
    }
}

// MARK: - swift-protobuf 1.39

enum SwiftProtobufFixtures {
    static func money(_ m: MoneySpec) -> Aftersale_Common_V1_Money {
        var money = Aftersale_Common_V1_Money()
        money.currency = m.currency
        money.minorUnits = m.minorUnits
        return money
    }

    static func explained(_ e: ExplainedSpec) -> Aftersale_Order_V1_ExplainedMoney {
        var explained = Aftersale_Order_V1_ExplainedMoney()
        explained.amount = money(MoneySpec(currency: "EUR", minorUnits: e.minorUnits))
        explained.explanation = e.explanation
        return explained
    }

    static func timestamp(_ seconds: Int64, _ nanos: Int32 = 0) -> Aftersale_Common_V1_Timestamp {
        var t = Aftersale_Common_V1_Timestamp()
        t.seconds = seconds
        t.nanos = nanos
        return t
    }

    static func orderLine() -> Aftersale_Order_V1_OrderLine {
        let s = Spec.orderLine
        var m = Aftersale_Order_V1_OrderLine()
        m.id = s.id
        m.sku = s.sku
        m.productID = s.productID
        m.categoryID = s.categoryID
        m.title = s.title
        m.quantity = s.quantity
        m.unitPrice = money(s.unitPrice)
        m.lineDiscount = money(s.lineDiscount)
        m.tax = money(s.tax)
        m.returnedQuantity = s.returnedQuantity
        m.openCaseQuantity = s.openCaseQuantity
        return m
    }

    static func caseDetail() -> Aftersale_Order_V1_Case {
        let h = Spec.caseHeader
        var c = Aftersale_Order_V1_Case()
        c.id = h.id
        c.orderID = h.orderID
        c.customerID = h.customerID
        c.kind = Aftersale_Order_V1_CaseKind(rawValue: Int(h.kind))!
        c.status = Aftersale_Order_V1_CaseStatus(rawValue: Int(h.status))!
        c.lines = Spec.caseLines.map { l in
            var line = Aftersale_Order_V1_CaseLine()
            line.id = l.id
            line.orderLineID = l.orderLineID
            line.sku = l.sku
            line.productID = l.productID
            line.categoryID = l.categoryID
            line.reason = Aftersale_Order_V1_ReasonCode(rawValue: Int(l.reason))!
            line.reasonText = l.reasonText
            line.requestedResolution = Aftersale_Order_V1_Resolution(rawValue: Int(l.requestedResolution))!
            var ledger = Aftersale_Order_V1_QuantityLedger()
            ledger.requested = l.quantities.requested
            ledger.approved = l.quantities.approved
            ledger.received = l.quantities.received
            ledger.accepted = l.quantities.accepted
            ledger.rejected = l.quantities.rejected
            line.quantities = ledger
            var inspection = Aftersale_Order_V1_LineInspection()
            inspection.caseLineID = l.id
            inspection.acceptedQuantity = l.inspection.accepted
            inspection.rejectedQuantity = l.inspection.rejected
            inspection.disposition = Aftersale_Order_V1_Disposition(rawValue: Int(l.inspection.disposition))!
            inspection.rejectedDisposition = Aftersale_Order_V1_Disposition(rawValue: Int(l.inspection.rejectedDisposition))!
            inspection.findings = l.inspection.findings.map { Aftersale_Order_V1_InspectionFinding(rawValue: Int($0))! }
            inspection.notes = l.inspection.notes
            inspection.serialNumber = l.inspection.serialNumber
            line.inspection = inspection
            line.evidenceUrls = l.evidenceURLs
            return line
        }
        c.market = h.market
        c.currency = h.currency
        c.merchantAtFault = h.merchantAtFault
        c.instantRefund = h.instantRefund
        var feeTerms = Aftersale_Order_V1_FeeTerms()
        feeTerms.policyID = h.feeTerms.policyID
        feeTerms.restockingFeeBp = h.feeTerms.restockingFeeBp
        feeTerms.returnShippingFee = money(h.feeTerms.returnShippingFee)
        c.feeTerms = feeTerms
        c.authorisationExpiresAt = timestamp(h.authorisationExpiresAt)
        c.returnShipmentID = h.returnShipmentID
        c.resolution = Aftersale_Order_V1_Resolution(rawValue: Int(h.resolution))!

        let s = Spec.settlement
        var settlement = Aftersale_Order_V1_Settlement()
        settlement.currency = h.currency
        settlement.resolution = Aftersale_Order_V1_Resolution(rawValue: Int(h.resolution))!
        settlement.lines = Spec.settlementLines.map { l in
            var line = Aftersale_Order_V1_SettlementLine()
            line.caseLineID = l.caseLineID
            line.orderLineID = l.orderLineID
            line.sku = l.sku
            line.quantity = l.quantity
            line.quantityBasis = .accepted
            line.itemValue = explained(l.itemValue)
            line.orderDiscountShare = explained(l.orderDiscountShare)
            line.taxShare = explained(l.taxShare)
            line.restockingFee = explained(l.restockingFee)
            line.lineTotal = explained(l.lineTotal)
            return line
        }
        settlement.itemsTotal = explained(s.itemsTotal)
        settlement.outboundShipping = explained(s.outboundShipping)
        settlement.returnShippingFee = explained(s.returnShippingFee)
        settlement.exchangeDifference = explained(s.exchangeDifference)
        settlement.customerPaid = explained(s.customerPaid)
        settlement.totalRefundable = explained(s.totalRefundable)
        settlement.refundableCap = explained(s.refundableCap)
        settlement.refundTotal = explained(s.refundTotal)
        settlement.customerOwes = explained(s.customerOwes)
        var allocation = Aftersale_Order_V1_PaymentAllocation()
        allocation.paymentID = s.allocation.paymentID
        allocation.method = Aftersale_Order_V1_PaymentMethod(rawValue: Int(s.allocation.method))!
        allocation.remainingRefundable = money(MoneySpec(minorUnits: s.allocation.remaining))
        allocation.destination = Aftersale_Order_V1_RefundDestination(rawValue: Int(s.allocation.destination))!
        allocation.amount = money(MoneySpec(minorUnits: s.allocation.amount))
        allocation.explanation = s.allocation.explanation
        settlement.allocations = [allocation]
        settlement.isFinal = true
        settlement.computedAt = timestamp(s.computedAt.seconds, s.computedAt.nanos)
        settlement.notes = s.notes
        c.settlement = settlement

        c.statusReason = h.statusReason
        c.version = h.version
        c.createdAt = timestamp(h.createdAt)
        c.updatedAt = timestamp(h.updatedAt)
        c.resolvedAt = timestamp(h.resolvedAt)
        return c
    }
}
