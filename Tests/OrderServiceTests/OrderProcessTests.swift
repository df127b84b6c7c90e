import AfterSaleTestSupport
import Foundation
import RPCShared
import Testing

/// The real `aftersale serve order` process, driven through the `aftersale order …` CLI as a user would.
@Suite struct OrderProcessTests {
    static func cli(_ arguments: [String], stdin: String? = nil) async throws -> CLIResult {
        try await runAfterSale(arguments, stdin: stdin)
    }

    @Test func serveAndDriveACaseThroughTheCLI() async throws {
        let directory = try TemporaryDirectory("order-process")
        defer { directory.remove() }
        let socket = directory.file("order.sock")
        let arguments = ["serve", "order", "--listen", "unix://\(socket)", "--data", directory.path,
                         "--product-addr", "unix://\(directory.file("product-down.sock"))",
                         "--customer-addr", "unix://\(directory.file("customer-down.sock"))"]
        var server = try await ServiceProcess.start(arguments)
        let addr = ["--addr", server.address]
        func run(_ args: [String], stdin: String? = nil) async throws -> CLIResult {
            let result = try await Self.cli(["order"] + args + addr, stdin: stdin)
            #expect(result.status == 0, "aftersale order \(args.joined(separator: " ")): \(result.stderr)")
            return result
        }

        let orderJSON = """
            {"customerId":"cus_cli","market":"CN","currency":"CNY",
             "lines":[{"id":"cli-line-\(UUID().uuidString.prefix(6))","sku":"TEA-1","productId":"tea","quantity":2,
                       "unitPrice":{"currency":"CNY","minorUnits":"8800"}}],
             "payments":[{"method":"PAYMENT_METHOD_DIGITAL_WALLET","captured":{"currency":"CNY","minorUnits":"17600"}}]}
            """
        var order = try OrderV1.Order(jsonString: try await run(["create", "-"], stdin: orderJSON).stdout)
        #expect(order.version == 1 && order.lines[0].sku == "TEA-1")
        order = try OrderV1.Order(jsonString: try await run(["get", order.id]).stdout)
        #expect(try await run(["list", "--customer", "cus_cli"]).stdout.contains(order.id))

        // A refund-only case (nothing delivered yet, the parcel never arrived).
        let open = #"{"orderId":"\#(order.id)","customerId":"cus_cli","kind":"CASE_KIND_REFUND_ONLY","lines":[{"orderLineId":"\#(order.lines[0].id)","quantity":2,"reason":"REASON_CODE_LATE_DELIVERY","requestedResolution":"RESOLUTION_REFUND"}]}"#
        let opened = try OrderV1.Case(jsonString: try await run(["open-case", open]).stdout)
        #expect(opened.status == .requested)
        let approved = try OrderV1.Case(jsonString: try await run(["approve", opened.id, "--expected-version", "1", "--actor", "agent:alice"]).stdout)
        #expect(approved.status == .approved && approved.version == 2)
        let quote = try OrderV1.Settlement(jsonString: try await run(["quote", opened.id]).stdout)
        #expect(!quote.isFinal && quote.lines.first?.quantityBasis == .approved)
        let resolved = try OrderV1.Case(jsonString: try await run(["resolve", opened.id, "--resolution", "refund"]).stdout)
        #expect(resolved.status == .resolved)

        // The executor in the process pays the refund through the payment provider simulator.
        var refunds = OrderV1.ListRefundsResponse()
        for _ in 0..<100 {
            refunds = try OrderV1.ListRefundsResponse(jsonString: try await run(["refunds", "--case", opened.id]).stdout)
            if refunds.refunds.allSatisfy({ $0.status == .succeeded }) && !refunds.refunds.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!refunds.refunds.isEmpty && refunds.refunds.allSatisfy { $0.status == .succeeded })
        let closed = try OrderV1.Case(jsonString: try await run(["close", opened.id, "--note", "paid"]).stdout)
        #expect(closed.status == .closed)

        let watched = try await run(["watch", opened.id, "--status-changes-only", "--count", "4"])
        let lines = watched.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(try lines.map { try OrderV1.CaseEvent(jsonString: String($0)).entry?.toStatus } == [.requested, .approved, .resolved, .closed])
        let timeline = try OrderV1.GetTimelineResponse(jsonString: try await run(["timeline", opened.id]).stdout)
        #expect(timeline.entries.first?.eventType == .opened && timeline.entries.last?.eventType == .closed)

        // Errors: one line, exit status = the status code.
        let missing = try await Self.cli(["order", "case", "case_nope"] + addr)
        #expect(missing.status == StatusCode.notFound.rawValue)
        #expect(missing.stderr.trimmingCharacters(in: .whitespacesAndNewlines) == "aftersale: NOT_FOUND: case case_nope does not exist")
        let forbidden = try await Self.cli(["order", "approve", opened.id] + addr)
        #expect(forbidden.status == StatusCode.failedPrecondition.rawValue && forbidden.stderr.contains("CLOSED"))
        let badEnum = try await Self.cli(["order", "resolve", opened.id, "--resolution", "money"] + addr)
        #expect(badEnum.status != 0 && badEnum.stderr.contains("REFUND, STORE_CREDIT"))

        // A crash loses nothing acknowledged.
        await server.kill()
        server = try await ServiceProcess.start(arguments)
        let after = try OrderV1.Case(jsonString: try await Self.cli(["order", "case", opened.id, "--addr", server.address]).stdout)
        #expect(after == closed)
        await server.stop()
    }
}
