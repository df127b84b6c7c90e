import AfterSaleTestSupport
import Foundation
import RPCShared
import Testing

/// The real `aftersale serve order` process, driven through the `aftersale call` CLI as a user would.
@Suite struct OrderProcessTests {
    static func cli(_ address: String, _ method: String, _ json: String, _ extra: [String] = [],
                    stdin: String? = nil) async throws -> CLIResult {
        try await runCall(address, "aftersale.order.v1.OrderService.\(method)", json, extra, stdin: stdin)
    }

    /// The pretty-printed JSON documents `call` prints for a stream, one after the other.
    static func documents(_ output: String) -> [String] {
        output.components(separatedBy: "\n}\n").filter { !$0.isEmpty }.map { $0 + "\n}" }
    }

    @Test func serveAndDriveACaseThroughTheCLI() async throws {
        let directory = try TemporaryDirectory("order-process")
        defer { directory.remove() }
        let socket = directory.file("order.sock")
        let arguments = ["serve", "order", "--listen", "unix://\(socket)", "--data", directory.path,
                         "--product-addr", "unix://\(directory.file("product-down.sock"))",
                         "--customer-addr", "unix://\(directory.file("customer-down.sock"))"]
        var server = try await ServiceProcess.start(arguments)
        let address = server.address
        func run(_ method: String, _ json: String, stdin: String? = nil) async throws -> CLIResult {
            let result = try await Self.cli(address, method, json, stdin: stdin)
            #expect(result.status == 0, "aftersale call … \(method) \(json): \(result.stderr)")
            return result
        }

        let orderJSON = """
            {"customerId":"cus_cli","market":"CN","currency":"CNY",
             "lines":[{"id":"cli-line-\(UUID().uuidString.prefix(6))","sku":"TEA-1","productId":"tea","quantity":2,
                       "unitPrice":{"currency":"CNY","minorUnits":"8800"}}],
             "payments":[{"method":"PAYMENT_METHOD_DIGITAL_WALLET","captured":{"currency":"CNY","minorUnits":"17600"}}]}
            """
        var order = try OrderV1.Order(jsonString: try await run("CreateOrder", "-", stdin: #"{"order":\#(orderJSON)}"#).stdout)
        #expect(order.version == 1 && order.lines[0].sku == "TEA-1")
        order = try OrderV1.Order(jsonString: try await run("GetOrder", #"{"orderId":"\#(order.id)"}"#).stdout)
        #expect(try await run("ListOrders", #"{"customerId":"cus_cli"}"#).stdout.contains(order.id))

        // A refund-only case (nothing delivered yet, the parcel never arrived).
        let open = #"{"orderId":"\#(order.id)","customerId":"cus_cli","kind":"CASE_KIND_REFUND_ONLY","lines":[{"orderLineId":"\#(order.lines[0].id)","quantity":2,"reason":"REASON_CODE_LATE_DELIVERY","requestedResolution":"RESOLUTION_REFUND"}]}"#
        let opened = try OrderV1.Case(jsonString: try await run("OpenCase", open).stdout)
        #expect(opened.status == .requested)
        let approved = try OrderV1.Case(jsonString: try await run("ApproveCase", #"{"caseId":"\#(opened.id)","expectedVersion":"1","actor":{"kind":"ACTOR_KIND_AGENT","id":"alice"}}"#).stdout)
        #expect(approved.status == .approved && approved.version == 2)
        let quote = try OrderV1.Settlement(jsonString: try await run("QuoteSettlement", #"{"caseId":"\#(opened.id)"}"#).stdout)
        #expect(!quote.isFinal && quote.lines.first?.quantityBasis == .approved)
        let resolved = try OrderV1.Case(jsonString: try await run("ResolveCase", #"{"caseId":"\#(opened.id)","resolution":"RESOLUTION_REFUND"}"#).stdout)
        #expect(resolved.status == .resolved)

        // The executor in the process pays the refund through the payment provider simulator.
        var refunds = OrderV1.ListRefundsResponse()
        for _ in 0..<100 {
            refunds = try OrderV1.ListRefundsResponse(jsonString: try await run("ListRefunds", #"{"caseId":"\#(opened.id)"}"#).stdout)
            if refunds.refunds.allSatisfy({ $0.status == .succeeded }) && !refunds.refunds.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!refunds.refunds.isEmpty && refunds.refunds.allSatisfy { $0.status == .succeeded })
        let closed = try OrderV1.Case(jsonString: try await run("CloseCase", #"{"caseId":"\#(opened.id)","note":"paid"}"#).stdout)
        #expect(closed.status == .closed)

        // A watch never ends by itself: the deadline ends it (exit 4) after the events so far were printed.
        let watched = try await Self.cli(address, "WatchCase", #"{"caseId":"\#(opened.id)","statusChangesOnly":true}"#,
                                         ["--timeout", "2s"])
        #expect(watched.status == StatusCode.deadlineExceeded.rawValue, "\(watched.stderr)")
        let events = Self.documents(watched.stdout)
        #expect(try events.map { try OrderV1.CaseEvent(jsonString: $0).entry?.toStatus } == [.requested, .approved, .resolved, .closed])
        let timeline = try OrderV1.GetTimelineResponse(jsonString: try await run("GetTimeline", #"{"caseId":"\#(opened.id)"}"#).stdout)
        #expect(timeline.entries.first?.eventType == .opened && timeline.entries.last?.eventType == .closed)

        // Errors: one line, exit status = the status code.
        let missing = try await Self.cli(address, "GetCase", #"{"caseId":"case_nope"}"#)
        #expect(missing.status == StatusCode.notFound.rawValue)
        #expect(missing.stderr.trimmingCharacters(in: .whitespacesAndNewlines) == "aftersale: NOT_FOUND: case case_nope does not exist")
        let forbidden = try await Self.cli(address, "ApproveCase", #"{"caseId":"\#(opened.id)"}"#)
        #expect(forbidden.status == StatusCode.failedPrecondition.rawValue && forbidden.stderr.contains("CLOSED"))
        let badEnum = try await Self.cli(address, "ResolveCase", #"{"caseId":"\#(opened.id)","resolution":"RESOLUTION_MONEY"}"#)
        #expect(badEnum.status == 65 && badEnum.stderr.contains("RESOLUTION_MONEY"), "\(badEnum.stderr)")

        // A crash loses nothing acknowledged.
        await server.kill()
        server = try await ServiceProcess.start(arguments)
        let after = try OrderV1.Case(jsonString: try await Self.cli(server.address, "GetCase", #"{"caseId":"\#(opened.id)"}"#).stdout)
        #expect(after == closed)
        await server.stop()
    }
}
