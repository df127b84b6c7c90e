import Gateway
import RPCShared
import ServiceRuntime
import Testing

/// The order facts per line, without any service.
@Suite struct EligibilitySnapshotTests {
    static func at(_ seconds: Int64) -> CommonV1.Timestamp { CommonV1.Timestamp(seconds: seconds) }

    /// Line a: 3 ordered, 2 delivered at t=100 and 1 at t=300; 1 returned, 1 on an open case.
    /// Line b: 2 ordered, shipped but not delivered. Line c: 1 ordered, never shipped.
    static let order = OrderV1.Order(
        id: "ord_1", customerID: "cus_1", market: "DE", currency: "EUR",
        lines: [
            .init(id: "a", sku: "SKU-A", productID: "prod_a", quantity: 3, returnedQuantity: 1, openCaseQuantity: 1),
            .init(id: "b", sku: "SKU-B", productID: "prod_b", quantity: 2),
            .init(id: "c", sku: "SKU-C", quantity: 1),
        ],
        fulfilments: [
            .init(id: "f1", lines: [.init(orderLineID: "a", quantity: 2)], deliveredAt: at(100)),
            .init(id: "f2", lines: [.init(orderLineID: "a", quantity: 1), .init(orderLineID: "b", quantity: 2)], deliveredAt: nil),
            .init(id: "f3", lines: [.init(orderLineID: "a", quantity: 1)], deliveredAt: at(300)),
        ])

    @Test func deliveredUnitsAndTheLatestDelivery() throws {
        let lines = try EligibilitySnapshot.lines(order: Self.order, query: [.init(orderLineID: "a")])
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.orderLineID == "a" && line.sku == "SKU-A" && line.productID == "prod_a")
        #expect(line.deliveredQuantity == 3, "units in the undelivered parcel do not count")
        #expect(line.deliveredAt == Self.at(300))
        #expect(line.returnedQuantity == 2, "returned + open case units")
        #expect(line.requestedQuantity == 1, "0 asks for every unit still returnable: 3 − 2")
    }

    @Test(arguments: [(Int32(0), Int32(1)), (1, 1), (5, 5)])
    func requestedQuantity(asked: Int32, expected: Int32) throws {
        let line = try #require(try EligibilitySnapshot.lines(order: Self.order, query: [.init(orderLineID: "a", quantity: asked)]).first)
        // An explicit quantity passes through unchanged: ProductService says QUANTITY_EXCEEDED, not the gateway.
        #expect(line.requestedQuantity == expected)
    }

    @Test func undeliveredLineAsksForTheOrderedUnits() throws {
        let lines = try EligibilitySnapshot.lines(order: Self.order, query: [.init(orderLineID: "b", requestedResolution: .refund, reason: .lateDelivery)])
        let line = try #require(lines.first)
        #expect(line.deliveredQuantity == 0)
        #expect(line.deliveredAt == nil)
        #expect(line.requestedQuantity == 2)
        #expect(line.requestedResolution == .refund && line.reason == .lateDelivery)
    }

    @Test func emptyQueryMeansEveryLineInOrder() throws {
        let lines = try EligibilitySnapshot.lines(order: Self.order, query: [])
        #expect(lines.map(\.orderLineID) == ["a", "b", "c"])
        #expect(lines.map(\.deliveredQuantity) == [3, 0, 0])
    }

    @Test func unknownLinesAreNamedByIndex() {
        #expect {
            _ = try EligibilitySnapshot.lines(order: Self.order, query: [.init(orderLineID: "a"), .init(orderLineID: "zz"), .init(orderLineID: "yy")])
        } throws: { error in
            guard let error = error as? RPCError, error.code == .invalidArgument else { return false }
            let fields = error.errorDetails?.fieldViolations.map(\.field) ?? []
            return fields == ["lines[1].order_line_id", "lines[2].order_line_id"]
        }
    }

    @Test func everythingReturnedLeavesNothingToRequest() throws {
        var order = Self.order
        order.lines[0].returnedQuantity = 3
        order.lines[0].openCaseQuantity = 0
        let line = try #require(try EligibilitySnapshot.lines(order: order, query: [.init(orderLineID: "a")]).first)
        #expect(line.requestedQuantity == 0)
        #expect(line.returnedQuantity == 3)
    }
}
