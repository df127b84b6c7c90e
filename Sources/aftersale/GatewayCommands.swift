import ArgumentParser
import Foundation
import Gateway
import RPCShared
import ServiceRuntime

/// `aftersale serve gateway`: the entry point other backends call. Every peer address is required.
struct ServeGatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway", abstract: "The AfterSale gateway: after-sale workflows over the five services.")
    @OptionGroup var options: ServeOptions
    @Option(name: .customLong("order-addr"), help: "OrderService address.") var orderAddress: String?
    @Option(name: .customLong("product-addr"), help: "ProductService address.") var productAddress: String?
    @Option(name: .customLong("customer-addr"), help: "CustomerService address.") var customerAddress: String?
    @Option(name: .customLong("logistics-addr"), help: "LogisticsService address.") var logisticsAddress: String?

    func run() async throws {
        var settings = try options.settings("gateway", peers: [
            "order": orderAddress, "product": productAddress, "customer": customerAddress, "logistics": logisticsAddress,
        ])
        guard let reporting = settings.reportingAddress else {
            throw CLIError("serve gateway: missing --reporting-addr (or AFTERSALE_GATEWAY_REPORTING_ADDR or AFTERSALE_REPORTING_ADDR), e.g. unix:///run/aftersale/reporting.sock")
        }
        settings.peers["reporting"] = reporting
        try await GatewayApp.run(settings)
    }
}

/// `aftersale gateway …`: the gateway's debugging client. Each command acts as `--as ROLE:SUBJECT` (a token minted
/// from the configured keys; default: a service token) and prints the response as JSON.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway", abstract: "Debugging client for the gateway: after-sale workflows as a customer, agent, warehouse or service.",
        subcommands: [Eligibility.self, Open.self, Show.self, List.self, Approve.self, Reject.self, Cancel.self, Receive.self,
                      Inspect.self, Quote.self, Resolve.self, Feedback.self, Watch.self, Dashboard.self])

    /// Who calls, and how the calls are made.
    struct Caller: ParsableArguments {
        @OptionGroup var client: ServiceClientOptions
        @Option(name: .customLong("as"), help: "Act as ROLE:SUBJECT, e.g. customer:cus_de_anna, agent:alice, warehouse:wh-1 (token minted from the keys).")
        var identity: String?

        func options(mutating: Bool = false) throws -> CallOptions {
            var options = try client.callOptions(mutating: mutating)
            if let identity {
                let parts = identity.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, let role = Role(rawValue: parts[0]), !parts[1].isEmpty else {
                    throw CLIError("--as: '\(identity)' is not ROLE:SUBJECT with ROLE customer, agent, warehouse or service")
                }
                guard let (keys, _) = try TokenKeySource.load(file: nil, environment: ProcessInfo.processInfo.environment) else {
                    throw CLIError("--as needs token keys: set AFTERSALE_TOKEN_KEYS or AFTERSALE_TOKEN_KEYS_FILE", status: .configuration)
                }
                options.metadata.set("authorization", "Bearer \(try TokenSigner(keys: keys).sign(subject: parts[1], role: role, audience: [AccessToken.audience(for: "gateway")], lifetime: .seconds(300)))")
            }
            return options
        }

        func run<Response: ProtoMessage>(_ body: (GatewayV1.AfterSaleGateway.Client) async throws -> Response) async throws {
            try await client.run("gateway") { rpc in try await body(GatewayV1.AfterSaleGateway.Client(transport: rpc)) }
        }
    }

    struct Eligibility: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check which lines of an order may be returned (every line unless --line).")
        @OptionGroup var caller: Caller
        @Argument var orderID: String
        @Option(help: "RETURN_REFUND, REFUND_ONLY, EXCHANGE or REPAIR_WARRANTY.") var kind: String = "return-refund"
        @Option(help: "ORDER_LINE_ID=QUANTITY, repeatable (0 = all returnable units).") var line: [String] = []
        func run() async throws {
            let kind = try GatewayArguments.parseEnum(kind, prefix: "CASE_KIND_", as: OrderV1.CaseKind.self, option: "--kind")
            let lines = try GatewayArguments.parseLines(line).map { GatewayV1.EligibilityQueryLine(orderLineID: $0.caseLineID, quantity: $0.quantity) }
            try await caller.run { try await $0.checkEligibility(.init(orderID: orderID, kind: kind, lines: lines), options: try caller.options()) }
        }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a case from an aftersale.gateway.v1.OpenCaseRequest JSON (or - for stdin).")
        @OptionGroup var caller: Caller
        @Argument var request: String
        func run() async throws {
            let request = try parseJSON(request, as: GatewayV1.OpenCaseRequest.self)
            try await caller.run { try await $0.openCase(request, options: try caller.options(mutating: true)) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "case", abstract: "The aggregated view of a case.")
        @OptionGroup var caller: Caller
        @Argument var caseID: String
        func run() async throws {
            try await caller.run { try await $0.getCase(.init(caseID: caseID), options: try caller.options()) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cases", abstract: "List cases, newest first.")
        @OptionGroup var caller: Caller
        @Option var customer: String = ""
        @Option var order: String = ""
        @Option(help: "Status filter, repeatable (REQUESTED, APPROVED, …).") var status: [String] = []
        @Option(name: .customLong("page-size")) var pageSize: Int32 = 0
        @Option(name: .customLong("page-token")) var pageToken: String = ""
        func run() async throws {
            let statuses = try status.map { try GatewayArguments.parseEnum($0, prefix: "CASE_STATUS_", as: OrderV1.CaseStatus.self, option: "--status") }
            try await caller.run {
                try await $0.listCases(.init(page: .init(pageSize: pageSize, pageToken: pageToken), customerID: customer,
                                             orderID: order, statuses: statuses), options: try caller.options())
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a case (as an agent); books the return label, reserves exchange stock.")
        @OptionGroup var caller: Caller
        @Argument var caseID: String
        @Option(name: .customLong("expected-version")) var expectedVersion: Int64 = 0
        @Option(help: "CASE_LINE_ID=QUANTITY, repeatable; 0 declines the line.") var line: [String] = []
        @Flag(name: .customLong("merchant-at-fault")) var merchantAtFault = false
        @Flag(name: .customLong("waive-fees")) var waiveFees = false
        @Option var note: String = ""
        func run() async throws {
            let request = GatewayV1.ApproveCaseRequest(caseID: caseID, expectedVersion: expectedVersion, lines: try GatewayArguments.parseLines(line),
                                                       merchantAtFault: merchantAtFault ? .init(value: true) : nil,
                                                       waiveFees: waiveFees, note: note)
            try await caller.run { try await $0.approveCase(request, options: try caller.options(mutating: true)) }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a case (as an agent).")
        @OptionGroup var caller: Caller
        @Argument var caseID: String
        @Option(name: .customLong("expected-version")) var expectedVersion: Int64 = 0
        @Option(help: "WINDOW_PASSED, FINAL_SALE, NOT_ELIGIBLE, INSUFFICIENT_EVIDENCE, SUSPECTED_ABUSE or OTHER.") var reason: String
        @Option var message: String = ""
        func run() async throws {
            let reason = try GatewayArguments.parseEnum(reason, prefix: "REJECTION_REASON_", as: OrderV1.RejectionReason.self, option: "--reason")
            try await caller.run {
                try await $0.rejectCase(.init(caseID: caseID, expectedVersion: expectedVersion, reason: reason, message: message),
                                        options: try caller.options(mutating: true))
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw a case (as its customer); cancels the label, releases stock.")
        @OptionGroup var caller: Caller
        @Argument var caseID: String
        @Option(name: .customLong("expected-version")) var expectedVersion: Int64 = 0
        @Option var reason: String = ""
        func run() async throws {
            try await caller.run {
                try await $0.cancelCase(.init(caseID: caseID, expectedVersion: expectedVersion, reason: reason),
                                        options: try caller.options(mutating: true))
            }
        }
    }

    struct Receive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record returned units arriving at the warehouse.")
        @OptionGroup var caller: Caller
        @Argument var caseID: String
        @Option(name: .customLong("expected-version")) var expectedVersion: Int64 = 0
        @Option(help: "CASE_LINE_ID=QUANTITY, repeatable.") var line: [String]
        @Option(name: .customLong("warehouse")) var warehouseID: String = ""
        func run() async throws {
            let request = GatewayV1.RecordReceiptRequest(caseID: caseID, expectedVersion: expectedVersion, lines: try GatewayArguments.parseLines(line),
                                                         warehouseID: warehouseID)
            try await caller.run { try await $0.recordReceipt(request, options: try caller.options(mutating: true)) }
        }
    }

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record an inspection from an aftersale.gateway.v1.InspectCaseRequest JSON (or -).")
        @OptionGroup var caller: Caller
        @Argument var request: String
        func run() async throws {
            let request = try parseJSON(request, as: GatewayV1.InspectCaseRequest.self)
            try await caller.run { try await $0.inspectCase(request, options: try caller.options(mutating: true)) }
        }
    }

    struct Quote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The settlement a resolution would give, changing nothing.")
        @OptionGroup var caller: Caller
        @Argument var caseID: String
        @Option(help: "REFUND, STORE_CREDIT, REPLACEMENT, EXCHANGE, REPAIR or DECLINED (default: as requested).") var resolution: String?
        func run() async throws {
            let resolution = try resolution.map { try GatewayArguments.parseEnum($0, prefix: "RESOLUTION_", as: OrderV1.Resolution.self, option: "--resolution") }
            try await caller.run {
                try await $0.quoteSettlement(.init(caseID: caseID, resolution: resolution ?? .unspecified), options: try caller.options())
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve a case (as an agent): refunds, or the replacement shipped.")
        @OptionGroup var caller: Caller
        @Argument var caseID: String
        @Option(name: .customLong("expected-version")) var expectedVersion: Int64 = 0
        @Option(help: "REFUND, STORE_CREDIT, REPLACEMENT, EXCHANGE, REPAIR or DECLINED.") var resolution: String
        @Option var note: String = ""
        func run() async throws {
            let resolution = try GatewayArguments.parseEnum(resolution, prefix: "RESOLUTION_", as: OrderV1.Resolution.self, option: "--resolution")
            try await caller.run {
                try await $0.resolveCase(.init(caseID: caseID, expectedVersion: expectedVersion, resolution: resolution, note: note),
                                         options: try caller.options(mutating: true))
            }
        }
    }

    struct Feedback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Submit feedback from an aftersale.gateway.v1.SubmitFeedbackRequest JSON (or -).")
        @OptionGroup var caller: Caller
        @Argument var request: String
        func run() async throws {
            let request = try parseJSON(request, as: GatewayV1.SubmitFeedbackRequest.self)
            try await caller.run { try await $0.submitFeedback(request, options: try caller.options(mutating: true)) }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stream a case's events as JSON lines until interrupted (or --count).")
        @OptionGroup var caller: Caller
        @Argument var caseID: String
        @Option(help: "Start after this timeline sequence (0 = from the beginning).") var after: Int64 = 0
        @Flag(name: .customLong("status-changes-only")) var statusChangesOnly = false
        @Option(help: "Stop after this many events.") var count: Int?
        func run() async throws {
            let rpc = try caller.client.client("gateway")
            defer { Task { await rpc.close() } }
            var options = try caller.options()
            options.timeout = nil
            try await GatewayArguments.printEvents(GatewayV1.AfterSaleGateway.Client(transport: rpc)
                .watchCase(.init(caseID: caseID, afterSequence: after, statusChangesOnly: statusChangesOnly), options: options),
                                  count: count)
        }
    }

    struct Dashboard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The reporting dashboard (last 30 days).")
        @OptionGroup var caller: Caller
        @Option var market: String = ""
        func run() async throws {
            try await caller.run { try await $0.getDashboard(.init(market: market), options: try caller.options()) }
        }
    }
}
