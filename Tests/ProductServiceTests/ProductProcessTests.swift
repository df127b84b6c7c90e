import AfterSaleTestSupport
import Foundation
import ProductService
import RPCShared
import Testing

/// The real `aftersale serve product` process, driven by the real `aftersale product …` CLI.
@Suite struct ProductProcessTests {
    static func cli(_ arguments: [String], stdin: String? = nil) async throws -> CLIResult {
        try await runAfterSale(arguments, stdin: stdin)
    }

    @Test func servedProcessAnswersTheCLIAndKeepsItsDataAcrossAKill() async throws {
        let directory = try TemporaryDirectory("product-process")
        defer { directory.remove() }
        let socket = "unix://" + NSTemporaryDirectory() + "product-\(UUID().uuidString.prefix(8)).sock"
        let serve = ["serve", "product", "--listen", socket, "--data", directory.path]
        var server = try await ServiceProcess.start(serve)
        let addr = ["--addr", server.address]

        let seeded = try await Self.cli(["product", "seed"] + addr)
        #expect(seeded.status == 0, "\(seeded.stderr)")
        #expect(seeded.stdout.contains("prod_aster_x"))

        let effective = try await Self.cli(["product", "effective-policy", "--market", "CN", "--sku", "LIP-VLV-02"] + addr)
        #expect(effective.status == 0 && effective.stdout.contains(#""finalSale": true"#), "\(effective.stdout)\(effective.stderr)")

        let eligibility = try await Self.cli(["product", "eligibility", "-"] + addr, stdin: """
            {"market":"CN","timeZone":"Asia/Shanghai","asOf":{"seconds":"1773331200"},"kind":"CASE_KIND_RETURN_REFUND",
             "lines":[{"orderLineId":"ol_1","sku":"HOOD-FLC-GRY-M","deliveredQuantity":1,"requestedQuantity":1,
                       "deliveredAt":{"seconds":"1773100800"}}]}
            """)
        #expect(eligibility.status == 0, "\(eligibility.stderr)")
        #expect(eligibility.stdout.contains("ELIGIBILITY_REASON_WITHIN_NO_REASON_PERIOD"), "\(eligibility.stdout)")

        let classified = try await Self.cli(["product", "classify", "鞋码偏小，想换大一码"] + addr)
        #expect(classified.status == 0 && classified.stdout.contains("ISSUE_CATEGORY_SIZE_FIT"), "\(classified.stdout)")
        let info = try await Self.cli(["product", "classifier-info"] + addr)
        #expect(info.stdout.contains(#""heldOutSize": "144""#), "\(info.stdout)")

        let reserved = try await Self.cli(["product", "reserve", "ASTER-X-128-EU", "--quantity", "2", "--reference", "case_9"] + addr)
        #expect(reserved.status == 0 && reserved.stdout.contains("RESERVATION_STATUS_ACTIVE"), "\(reserved.stderr)")
        let received = try await Self.cli(["product", "receive-return", "ASTER-X-128-EU", "--warehouse", "wh_berlin",
                                           "--quantity", "1", "--disposition", "refurbish"] + addr)
        #expect(received.status == 0 && received.stdout.contains(#""refurbishing": 1"#), "\(received.stdout)\(received.stderr)")

        let missing = try await Self.cli(["product", "get", "prod_nope"] + addr)
        #expect(missing.status == 5 && missing.stderr == "aftersale: NOT_FOUND: product prod_nope does not exist\n")
        let bad = try await Self.cli(["product", "receive-return", "X", "--warehouse", "w", "--quantity", "1", "--disposition", "burn"] + addr)
        #expect(bad.status != 0 && bad.stderr.contains("'burn' is not one of restock, refurbish, scrap, return_to_customer"))

        // A crash (SIGKILL) loses nothing acknowledged.
        let before = try await Self.cli(["product", "stock", "ASTER-X-128-EU"] + addr)
        await server.kill()
        server = try await ServiceProcess.start(serve)
        let after = try await Self.cli(["product", "stock", "ASTER-X-128-EU", "--addr", server.address])
        #expect(after.status == 0 && after.stdout == before.stdout && after.stdout.contains(#""reserved": 2"#))
        await server.stop()
    }
}
