import AfterSaleTestSupport
import Foundation
@testable import OrderService
import RPCShared
import ServiceRuntime
import Testing

/// The RecordSale calls CreateOrder queues: waiting while ProductService is down, backing off, sent once per line.
@Suite struct SaleRecorderTests {
    @Test func salesWaitForProductServiceAndAreSentOncePerLine() async throws {
        let recorder = PeerRecorder<ProductV1.RecordSaleRequest>()
        let product = StubServer.product(recorder)
        let client = try fastClient(product.address)
        let manual = ManualClock()
        try await withHarness(clock: ServiceClock(manual), product: ProductV1.ProductService.Client(transport: client)) { harness in
            let order = try await harness.createOrder()   // ProductService is down: the order is still stored
            #expect(await harness.components.saleRecorder.deliverDue() == 0)
            let waiting = try await harness.database.read { db in try OrderStore.pendingCallCount(db, kind: SaleRecorder.kind) }
            #expect(waiting == 2)
            try await product.start()
            // Backed off: nothing is due until the clock moves past the retry time.
            #expect(await harness.components.saleRecorder.deliverDue() == 0)
            var delivered = 0
            let deadline = ContinuousClock.now + .seconds(10)
            while delivered < 2 && ContinuousClock.now < deadline {
                manual.advance(400)   // past the longest backoff
                delivered += await harness.components.saleRecorder.deliverDue()
            }
            #expect(delivered == 2)
            #expect(recorder.keys == Set(order.lines.map { "sale:\($0.id)" }))
            let sent = try #require(recorder.received.first { $0.key == "sale:\(order.lines[0].id)" })
            #expect(sent.request.sku == "SKU-A" && sent.request.quantity == 3 && sent.request.productID == "prod-a")
            #expect(try await harness.database.read { db in try OrderStore.pendingCallCount(db, kind: SaleRecorder.kind) } == 0)
            manual.advance(600)
            #expect(await harness.components.saleRecorder.deliverDue() == 0)
        }
        await client.close()
        await product.stop()
    }
}
