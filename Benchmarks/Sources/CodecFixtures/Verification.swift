import RPCShared
import SwiftProtobuf

/// What ``verifyFixtures()`` found for one message.
public struct FixtureReport: Sendable, CustomStringConvertible {
    public let message: MessageCase
    public let afterSaleSize: Int
    public let swiftProtobufSize: Int
    /// Both libraries produced the same bytes.
    public let byteIdentical: Bool

    public var description: String {
        "\(message.rawValue) (\(message.protoName)): AfterSale \(afterSaleSize) B, swift-protobuf \(swiftProtobufSize) B, "
            + (byteIdentical ? "byte-identical" : "different bytes, same decoded values")
    }
}

public struct FixtureMismatch: Error, CustomStringConvertible {
    public let description: String
}

/// Checks, outside any measurement, that the comparison is honest: each library's bytes decode in the other library
/// to the same values as that library's own fixture, a few fields are compared by hand across the two type systems,
/// and each library round-trips its own fixture. Throws ``FixtureMismatch`` on the first difference.
public func verifyFixtures() throws -> [FixtureReport] {
    [try verifySmall(), try verifyCaseDetail()]
}

private func check(_ condition: Bool, _ what: @autoclosure () -> String) throws {
    if !condition { throw FixtureMismatch(description: "fixture mismatch: \(what())") }
}

private func verifySmall() throws -> FixtureReport {
    let a = AfterSaleFixtures.orderLine()
    let s = SwiftProtobufFixtures.orderLine()
    let aBytes = try a.serializedBytes()
    let sBytes: [UInt8] = try s.serializedBytes()

    let aFromS = try OrderV1.OrderLine(serializedBytes: sBytes)
    let sFromA = try Aftersale_Order_V1_OrderLine(serializedBytes: aBytes)
    try check(aFromS == a, "OrderLine: swift-protobuf bytes decoded by AfterSale differ from AfterSale's fixture")
    try check(sFromA == s, "OrderLine: AfterSale bytes decoded by swift-protobuf differ from swift-protobuf's fixture")
    try check(try OrderV1.OrderLine(serializedBytes: aBytes) == a, "OrderLine: AfterSale round trip")
    try check(try Aftersale_Order_V1_OrderLine(serializedBytes: sBytes) == s, "OrderLine: swift-protobuf round trip")

    // By hand, across the two type systems.
    try check(sFromA.id == a.id && sFromA.sku == a.sku && sFromA.title == a.title, "OrderLine ids/title")
    try check(sFromA.quantity == a.quantity && sFromA.openCaseQuantity == a.openCaseQuantity, "OrderLine quantities")
    try check(sFromA.unitPrice.minorUnits == a.unitPrice?.minorUnits && sFromA.tax.currency == a.tax?.currency,
              "OrderLine money")
    try check(aFromS.lineDiscount?.minorUnits == s.lineDiscount.minorUnits && aFromS.productID == s.productID,
              "OrderLine money/product")
    return FixtureReport(message: .small, afterSaleSize: aBytes.count, swiftProtobufSize: sBytes.count,
                         byteIdentical: aBytes == sBytes)
}

private func verifyCaseDetail() throws -> FixtureReport {
    let a = AfterSaleFixtures.caseDetail()
    let s = SwiftProtobufFixtures.caseDetail()
    let aBytes = try a.serializedBytes()
    let sBytes: [UInt8] = try s.serializedBytes()

    let aFromS = try OrderV1.Case(serializedBytes: sBytes)
    let sFromA = try Aftersale_Order_V1_Case(serializedBytes: aBytes)
    try check(aFromS == a, "Case: swift-protobuf bytes decoded by AfterSale differ from AfterSale's fixture")
    try check(sFromA == s, "Case: AfterSale bytes decoded by swift-protobuf differ from swift-protobuf's fixture")
    try check(try OrderV1.Case(serializedBytes: aBytes) == a, "Case: AfterSale round trip")
    try check(try Aftersale_Order_V1_Case(serializedBytes: sBytes) == s, "Case: swift-protobuf round trip")

    // By hand, across the two type systems.
    try check(sFromA.id == a.id && sFromA.kind.rawValue == Int(a.kind.rawValue)
              && sFromA.status.rawValue == Int(a.status.rawValue), "Case header")
    try check(sFromA.lines.count == a.lines.count && sFromA.lines.count == 4, "Case line count")
    for (x, y) in zip(sFromA.lines, a.lines) {
        try check(x.id == y.id && x.sku == y.sku && x.reasonText == y.reasonText && x.evidenceUrls == y.evidenceURLs,
                  "CaseLine \(y.id) strings")
        try check(x.inspection.findings.map { Int32($0.rawValue) } == (y.inspection?.findings.map(\.rawValue) ?? []),
                  "CaseLine \(y.id) findings")
        try check(x.quantities.accepted == y.quantities?.accepted, "CaseLine \(y.id) quantities")
    }
    try check(sFromA.settlement.lines.count == 4
              && sFromA.settlement.refundTotal.amount.minorUnits == a.settlement?.refundTotal?.amount?.minorUnits
              && sFromA.settlement.allocations.first?.explanation == a.settlement?.allocations.first?.explanation
              && sFromA.settlement.notes == a.settlement?.notes,
              "Settlement")
    try check(aFromS.settlement?.lines.map { $0.lineTotal?.explanation ?? "" } == s.settlement.lines.map(\.lineTotal.explanation)
              && aFromS.settlement?.computedAt?.nanos == s.settlement.computedAt.nanos
              && aFromS.feeTerms?.returnShippingFee?.minorUnits == s.feeTerms.returnShippingFee.minorUnits,
              "Settlement lines / fee terms")
    return FixtureReport(message: .caseDetail, afterSaleSize: aBytes.count, swiftProtobufSize: sBytes.count,
                         byteIdentical: aBytes == sBytes)
}
