import AfterSaleTestSupport
import Foundation
import ProductService
import RPCShared
import Testing

/// The real `aftersale serve product` process, driven by the real `aftersale call` and `aftersale seed` CLI.
@Suite struct ProductProcessTests {
    static let service = "aftersale.product.v1.ProductService"

    @Test func servedProcessAnswersTheCLIAndKeepsItsDataAcrossAKill() async throws {
        let directory = try TemporaryDirectory("product-process")
        defer { directory.remove() }
        let socket = "unix://" + NSTemporaryDirectory() + "product-\(UUID().uuidString.prefix(8)).sock"
        let serve = ["serve", "product", "--listen", socket, "--data", directory.path]
        var server = try await ServiceProcess.start(serve)
        var address = server.address
        func call(_ method: String, _ json: String = "{}", stdin: String? = nil) async throws -> CLIResult {
            try await runCall(address, "\(Self.service).\(method)", json, stdin: stdin)
        }

        let seeded = try await runAfterSale(["seed", "--catalogue-only", "--product-addr", address])
        #expect(seeded.status == 0 && seeded.stdout.hasPrefix("catalogue: "), "\(seeded.stderr)")
        let listed = try await call("ListProducts", #"{"page":{"pageSize":500}}"#)
        #expect(listed.status == 0 && listed.stdout.contains("prod_aster_x"), "\(listed.stderr)")

        let effective = try await call("GetEffectivePolicy", #"{"market":"CN","sku":"LIP-VLV-02"}"#)
        #expect(effective.status == 0 && effective.stdout.contains(#""finalSale": true"#), "\(effective.stdout)\(effective.stderr)")

        let eligibility = try await call("CheckEligibility", "-", stdin: """
            {"market":"CN","timeZone":"Asia/Shanghai","asOf":{"seconds":"1773331200"},"kind":"CASE_KIND_RETURN_REFUND",
             "lines":[{"orderLineId":"ol_1","sku":"HOOD-FLC-GRY-M","deliveredQuantity":1,"requestedQuantity":1,
                       "deliveredAt":{"seconds":"1773100800"}}]}
            """)
        #expect(eligibility.status == 0, "\(eligibility.stderr)")
        #expect(eligibility.stdout.contains("ELIGIBILITY_REASON_WITHIN_NO_REASON_PERIOD"), "\(eligibility.stdout)")

        let classified = try await call("ClassifyText", #"{"text":"鞋码偏小，想换大一码"}"#)
        #expect(classified.status == 0 && classified.stdout.contains("ISSUE_CATEGORY_SIZE_FIT"), "\(classified.stdout)")
        let info = try await call("GetClassifierInfo")
        #expect(info.stdout.contains(#""heldOutSize": "144""#), "\(info.stdout)")

        let reserved = try await call("ReserveStock", #"{"sku":"ASTER-X-128-EU","quantity":2,"reference":"case_9"}"#)
        #expect(reserved.status == 0 && reserved.stdout.contains("RESERVATION_STATUS_ACTIVE"), "\(reserved.stderr)")
        let received = try await call("ReceiveReturn", #"{"sku":"ASTER-X-128-EU","warehouseId":"wh_berlin","quantity":1,"disposition":"DISPOSITION_REFURBISH"}"#)
        #expect(received.status == 0 && received.stdout.contains(#""refurbishing": 1"#), "\(received.stdout)\(received.stderr)")

        let missing = try await call("GetProduct", #"{"productId":"prod_nope"}"#)
        #expect(missing.status == 5 && missing.stderr == "aftersale: NOT_FOUND: product prod_nope does not exist\n")
        // A value the schema does not have is refused before any call: bad input data, exit 65.
        let bad = try await call("ReceiveReturn", #"{"sku":"X","warehouseId":"w","quantity":1,"disposition":"DISPOSITION_BURN"}"#)
        #expect(bad.status == 65 && bad.stderr.contains("DISPOSITION_BURN"), "\(bad.stderr)")

        // A crash (SIGKILL) loses nothing acknowledged.
        let before = try await call("GetStock", #"{"sku":"ASTER-X-128-EU"}"#)
        await server.kill()
        server = try await ServiceProcess.start(serve)
        address = server.address
        let after = try await call("GetStock", #"{"sku":"ASTER-X-128-EU"}"#)
        #expect(after.status == 0 && after.stdout == before.stdout && after.stdout.contains(#""reserved": 2"#))
        await server.stop()
    }
}
