import ArgumentParser
import Foundation
import OrderService
import RPCShared
import ServiceRuntime

/// `aftersale serve order`.
struct ServeOrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "order", abstract: "OrderService, orders and after-sale cases.")
    @OptionGroup var options: ServeOptions
    @Option(name: .customLong("product-addr"), help: "ProductService address (sales are recorded there).") var productAddress: String?
    @Option(name: .customLong("customer-addr"), help: "CustomerService address (store-credit refunds).") var customerAddress: String?

    func run() async throws {
        try await OrderServiceApp.run(try options.settings("order", peers: ["product": productAddress, "customer": customerAddress]))
    }
}

/// `aftersale order …`: the order service's debugging client. Every command prints the response as JSON.
struct OrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order", abstract: "Debugging client for OrderService, orders and after-sale cases.",
        subcommands: [Get.self, List.self, Create.self, Cases.self, Case.self, OpenCase.self, Approve.self, Reject.self,
                      Cancel.self, Receive.self, Inspect.self, Quote.self, Resolve.self, Close.self, Reopen.self,
                      Timeline.self, Watch.self, Refunds.self, RetryRefund.self])

    /// Options of the case transitions.
    struct Change: ParsableArguments {
        @Option(name: .customLong("expected-version"), help: "Fail with ABORTED unless the record is at this version (0 = don't check).")
        var expectedVersion: Int64 = 0
        @Option(help: "Who acts, KIND:ID (customer, agent, warehouse, service, system), e.g. agent:alice.") var actor: String?

        func parsedActor() throws -> CommonV1.Actor? {
            guard let actor else { return nil }
            let parts = actor.split(separator: ":", maxSplits: 1).map(String.init)
            let kind = try parseEnum(parts[0], prefix: "ACTOR_KIND_", as: CommonV1.ActorKind.self, option: "--actor")
            return CommonV1.Actor(kind: kind, id: parts.count > 1 ? parts[1] : "")
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an order (with open-case and returned quantities).")
        @OptionGroup var client: ServiceClientOptions
        @Argument var orderID: String
        func run() async throws {
            try await client.run("order") { rpc in try await orders(rpc).getOrder(.init(orderID: orderID), options: try client.callOptions()) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a customer's orders, newest first.")
        @OptionGroup var client: ServiceClientOptions
        @Option var customer: String
        @Option(name: .customLong("page-size")) var pageSize: Int32 = 0
        @Option(name: .customLong("page-token")) var pageToken: String = ""
        func run() async throws {
            try await client.run("order") { rpc in
                try await orders(rpc).listOrders(.init(page: .init(pageSize: pageSize, pageToken: pageToken), customerID: customer),
                                                 options: try client.callOptions())
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an order from its JSON (an aftersale.order.v1.Order, or - for stdin).")
        @OptionGroup var client: ServiceClientOptions
        @Argument var order: String
        func run() async throws {
            let order = try parseJSON(order, as: OrderV1.Order.self)
            try await client.run("order") { rpc in try await orders(rpc).createOrder(.init(order: order), options: try client.callOptions(mutating: true)) }
        }
    }

    struct Cases: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List cases, newest first.")
        @OptionGroup var client: ServiceClientOptions
        @Option var customer: String = ""
        @Option var order: String = ""
        @Option(help: "Status filter, repeatable (REQUESTED, APPROVED, …).") var status: [String] = []
        @Option(name: .customLong("page-size")) var pageSize: Int32 = 0
        @Option(name: .customLong("page-token")) var pageToken: String = ""
        func run() async throws {
            let statuses = try status.map { try parseEnum($0, prefix: "CASE_STATUS_", as: OrderV1.CaseStatus.self, option: "--status") }
            try await client.run("order") { rpc in
                try await orders(rpc).listCases(.init(page: .init(pageSize: pageSize, pageToken: pageToken), customerID: customer,
                                                      orderID: order, statuses: statuses), options: try client.callOptions())
            }
        }
    }

    struct Case: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a case.")
        @OptionGroup var client: ServiceClientOptions
        @Argument var caseID: String
        func run() async throws {
            try await client.run("order") { rpc in try await orders(rpc).getCase(.init(caseID: caseID), options: try client.callOptions()) }
        }
    }

    struct OpenCase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "open-case", abstract: "Open a case from an aftersale.order.v1.OpenCaseRequest JSON (or - for stdin).")
        @OptionGroup var client: ServiceClientOptions
        @Argument var request: String
        func run() async throws {
            let request = try parseJSON(request, as: OrderV1.OpenCaseRequest.self)
            try await client.run("order") { rpc in try await orders(rpc).openCase(request, options: try client.callOptions(mutating: true)) }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a REQUESTED/REOPENED case (all lines at their requested quantity unless --line).")
        @OptionGroup var client: ServiceClientOptions
        @OptionGroup var change: Change
        @Argument var caseID: String
        @Option(help: "CASE_LINE_ID=QUANTITY, repeatable; 0 declines the line.") var line: [String] = []
        @Flag(name: .customLong("merchant-at-fault")) var merchantAtFault = false
        @Flag(name: .customLong("instant-refund")) var instantRefund = false
        @Option var note: String = ""
        func run() async throws {
            let request = OrderV1.ApproveCaseRequest(
                caseID: caseID, expectedVersion: change.expectedVersion, lines: try parseLines(line),
                merchantAtFault: merchantAtFault ? .init(value: true) : nil, note: note, actor: try change.parsedActor(),
                instantRefund: instantRefund)
            try await client.run("order") { rpc in try await orders(rpc).approveCase(request, options: try client.callOptions(mutating: true)) }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a REQUESTED/REOPENED case.")
        @OptionGroup var client: ServiceClientOptions
        @OptionGroup var change: Change
        @Argument var caseID: String
        @Option(help: "WINDOW_PASSED, FINAL_SALE, NOT_ELIGIBLE, INSUFFICIENT_EVIDENCE, SUSPECTED_ABUSE or OTHER.") var reason: String
        @Option var message: String = ""
        func run() async throws {
            let reason = try parseEnum(reason, prefix: "REJECTION_REASON_", as: OrderV1.RejectionReason.self, option: "--reason")
            let request = OrderV1.RejectCaseRequest(caseID: caseID, expectedVersion: change.expectedVersion, reason: reason,
                                                    message: message, actor: try change.parsedActor())
            try await client.run("order") { rpc in try await orders(rpc).rejectCase(request, options: try client.callOptions(mutating: true)) }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a case before anything was received.")
        @OptionGroup var client: ServiceClientOptions
        @OptionGroup var change: Change
        @Argument var caseID: String
        @Option var reason: String = ""
        func run() async throws {
            let request = OrderV1.CancelCaseRequest(caseID: caseID, expectedVersion: change.expectedVersion, reason: reason,
                                                    actor: try change.parsedActor())
            try await client.run("order") { rpc in try await orders(rpc).cancelCase(request, options: try client.callOptions(mutating: true)) }
        }
    }

    struct Receive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record received units (partial receipts add up).")
        @OptionGroup var client: ServiceClientOptions
        @OptionGroup var change: Change
        @Argument var caseID: String
        @Option(help: "CASE_LINE_ID=QUANTITY, repeatable.") var line: [String]
        @Option var warehouse: String = ""
        @Option var note: String = ""
        func run() async throws {
            let request = OrderV1.RecordReceiptRequest(caseID: caseID, expectedVersion: change.expectedVersion, lines: try parseLines(line),
                                                       warehouseID: warehouse, note: note, actor: try change.parsedActor())
            try await client.run("order") { rpc in try await orders(rpc).recordReceipt(request, options: try client.callOptions(mutating: true)) }
        }
    }

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record the inspection from an aftersale.order.v1.InspectCaseRequest JSON (or - for stdin).")
        @OptionGroup var client: ServiceClientOptions
        @Argument var request: String
        func run() async throws {
            let request = try parseJSON(request, as: OrderV1.InspectCaseRequest.self)
            try await client.run("order") { rpc in try await orders(rpc).inspectCase(request, options: try client.callOptions(mutating: true)) }
        }
    }

    struct Quote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Quote the settlement of a case without changing anything.")
        @OptionGroup var client: ServiceClientOptions
        @Argument var caseID: String
        @Option(help: "REFUND, STORE_CREDIT, REPLACEMENT, EXCHANGE, REPAIR, DECLINED (default: each line's request).") var resolution: String?
        func run() async throws {
            let resolution = try resolution.map { try parseEnum($0, prefix: "RESOLUTION_", as: OrderV1.Resolution.self, option: "--resolution") }
            try await client.run("order") { rpc in
                try await orders(rpc).quoteSettlement(.init(caseID: caseID, resolution: resolution ?? .unspecified), options: try client.callOptions())
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve a case: final settlement and refunds.")
        @OptionGroup var client: ServiceClientOptions
        @OptionGroup var change: Change
        @Argument var caseID: String
        @Option(help: "REFUND, STORE_CREDIT, REPLACEMENT, EXCHANGE, REPAIR or DECLINED.") var resolution: String
        @Option var note: String = ""
        func run() async throws {
            let request = OrderV1.ResolveCaseRequest(
                caseID: caseID, expectedVersion: change.expectedVersion,
                resolution: try parseEnum(resolution, prefix: "RESOLUTION_", as: OrderV1.Resolution.self, option: "--resolution"),
                note: note, actor: try change.parsedActor())
            try await client.run("order") { rpc in try await orders(rpc).resolveCase(request, options: try client.callOptions(mutating: true)) }
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a resolved (all refunds succeeded), rejected, canceled or expired case.")
        @OptionGroup var client: ServiceClientOptions
        @OptionGroup var change: Change
        @Argument var caseID: String
        @Option var note: String = ""
        func run() async throws {
            let request = OrderV1.CloseCaseRequest(caseID: caseID, expectedVersion: change.expectedVersion, note: note, actor: try change.parsedActor())
            try await client.run("order") { rpc in try await orders(rpc).closeCase(request, options: try client.callOptions(mutating: true)) }
        }
    }

    struct Reopen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reopen a closed, rejected or expired case for review.")
        @OptionGroup var client: ServiceClientOptions
        @OptionGroup var change: Change
        @Argument var caseID: String
        @Option var reason: String = ""
        func run() async throws {
            let request = OrderV1.ReopenCaseRequest(caseID: caseID, expectedVersion: change.expectedVersion, reason: reason, actor: try change.parsedActor())
            try await client.run("order") { rpc in try await orders(rpc).reopenCase(request, options: try client.callOptions(mutating: true)) }
        }
    }

    struct Timeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A case's timeline, oldest first.")
        @OptionGroup var client: ServiceClientOptions
        @Argument var caseID: String
        @Option(name: .customLong("page-size")) var pageSize: Int32 = 0
        @Option(name: .customLong("page-token")) var pageToken: String = ""
        func run() async throws {
            try await client.run("order") { rpc in
                try await orders(rpc).getTimeline(.init(page: .init(pageSize: pageSize, pageToken: pageToken), caseID: caseID),
                                                  options: try client.callOptions())
            }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stream a case's events as JSON lines (stored ones after --after, then live) until interrupted.")
        @OptionGroup var client: ServiceClientOptions
        @Argument var caseID: String
        @Option(help: "Start after this timeline sequence (0 = from the beginning).") var after: Int64 = 0
        @Flag(name: .customLong("status-changes-only")) var statusChangesOnly = false
        @Option(help: "Stop after this many events.") var count: Int?
        func run() async throws {
            let rpc = try client.client("order")
            defer { Task { await rpc.close() } }
            var options = try client.callOptions()
            options.timeout = nil
            try await printEvents(orders(rpc).watchCase(.init(caseID: caseID, afterSequence: after, statusChangesOnly: statusChangesOnly),
                                                        options: options), count: count)
        }
    }

    struct Refunds: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List refunds by case or order, newest first.")
        @OptionGroup var client: ServiceClientOptions
        @Option(name: .customLong("case")) var caseID: String = ""
        @Option var order: String = ""
        func run() async throws {
            try await client.run("order") { rpc in
                try await orders(rpc).listRefunds(.init(caseID: caseID, orderID: order), options: try client.callOptions())
            }
        }
    }

    struct RetryRefund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "retry-refund", abstract: "Put a FAILED refund back to PENDING (same idempotency key).")
        @OptionGroup var client: ServiceClientOptions
        @OptionGroup var change: Change
        @Argument var refundID: String
        func run() async throws {
            let request = OrderV1.RetryRefundRequest(refundID: refundID, expectedVersion: change.expectedVersion, actor: try change.parsedActor())
            try await client.run("order") { rpc in try await orders(rpc).retryRefund(request, options: try client.callOptions(mutating: true)) }
        }
    }
}

private func orders(_ rpc: RPCClient) -> OrderV1.OrderService.Client { OrderV1.OrderService.Client(transport: rpc) }

/// `REFUND` or `RESOLUTION_REFUND` (any case) → the enum value; anything else names the allowed values.
func parseEnum<E: ProtoEnum>(_ text: String, prefix: String, as: E.Type, option: String) throws -> E {
    let upper = text.uppercased().replacingOccurrences(of: "-", with: "_")
    if let value = E(protoName: upper.hasPrefix(prefix) ? upper : prefix + upper), value.rawValue != 0 { return value }
    let allowed = E.allCases.compactMap(\.protoName).filter { !$0.hasSuffix("_UNSPECIFIED") }.map { String($0.dropFirst(prefix.count)) }
    throw CLIError("\(option): '\(text)' is not one of \(allowed.joined(separator: ", "))")
}

/// Prints a case's events as JSON lines until the stream ends or `count` were printed.
func printEvents(_ stream: ResponseStream<OrderV1.CaseEvent>, count: Int?) async throws {
    var seen = 0
    do {
        for try await event in stream {
            FileHandle.standardOutput.write(Data((event.jsonString() + "\n").utf8))
            seen += 1
            if let count, seen >= count { break }
        }
    } catch let error as RPCError {
        throw CLIFailure(error)
    }
}

/// `CASE_LINE_ID=QUANTITY` pairs.
func parseLines(_ pairs: [String]) throws -> [OrderV1.LineQuantity] {
    try pairs.map { pair in
        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let quantity = Int32(parts[1]) else {
            throw CLIError("--line: '\(pair)' is not CASE_LINE_ID=QUANTITY")
        }
        return OrderV1.LineQuantity(caseLineID: parts[0], quantity: quantity)
    }
}
