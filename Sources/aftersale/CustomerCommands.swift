import ArgumentParser
import CustomerService
import Foundation
import RPCShared
import ServiceRuntime

/// `aftersale serve customer`.
struct ServeCustomerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "customer", abstract: "CustomerService, customers, wallet, feedback, risk.")
    @OptionGroup var options: ServeOptions

    func run() async throws {
        try await CustomerServiceApp.run(try options.settings("customer"))
    }
}

/// `aftersale customer …`: the customer service's debugging client.
struct CustomerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customer", abstract: "Debugging client for CustomerService, customers, wallet, feedback, risk.",
        subcommands: [Get.self, Create.self, Update.self, History.self, Wallet.self, WalletEntries.self, Credit.self,
                      Debit.self, ExpireCredits.self, Feedback.self, ListFeedback.self, AssessRisk.self, Risk.self,
                      RecordInspection.self])

    typealias Client = CustomerV1.CustomerService.Client

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A customer (contact data masked).")
        @OptionGroup var client: ServiceClientOptions
        @Argument(help: "Customer id.") var customerID: String

        func run() async throws {
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).getCustomer(.init(customerID: customerID), options: client.callOptions())
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a customer from a CreateCustomerRequest JSON (or - for stdin).")
        @OptionGroup var client: ServiceClientOptions
        @Argument(help: #"e.g. {"name":"Anna","email":"anna@example.de","market":"DE"}"#) var json: String

        func run() async throws {
            let request = try parseJSON(json, as: CustomerV1.CreateCustomerRequest.self)
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).createCustomer(request, options: client.callOptions(mutating: true))
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Update a customer from an UpdateCustomerRequest JSON (present fields only).")
        @OptionGroup var client: ServiceClientOptions
        @Argument(help: #"e.g. {"customerId":"cus_1","name":{"value":"Anna W."}}"#) var json: String

        func run() async throws {
            let request = try parseJSON(json, as: CustomerV1.UpdateCustomerRequest.self)
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).updateCustomer(request, options: client.callOptions(mutating: true))
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A customer's after-sale history.")
        @OptionGroup var client: ServiceClientOptions
        @Argument(help: "Customer id.") var customerID: String

        func run() async throws {
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).getCustomerHistory(.init(customerID: customerID), options: client.callOptions())
            }
        }
    }

    struct Wallet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Balances and the latest wallet entries.")
        @OptionGroup var client: ServiceClientOptions
        @Argument(help: "Customer id.") var customerID: String

        func run() async throws {
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).getWallet(.init(customerID: customerID), options: client.callOptions())
            }
        }
    }

    struct WalletEntries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "wallet-entries", abstract: "The wallet ledger, newest first.")
        @OptionGroup var client: ServiceClientOptions
        @Argument(help: "Customer id.") var customerID: String
        @Option(help: "Only this currency.") var currency: String = ""
        @Option(help: "Only these kinds: credit, debit, expiry (repeatable).") var kind: [String] = []
        @Option(name: .customLong("page-size")) var pageSize: Int32 = 0
        @Option(name: .customLong("page-token")) var pageToken: String = ""

        func run() async throws {
            let kinds = try kind.map { name in
                guard let kind = CustomerV1.WalletEntryKind(protoName: "WALLET_ENTRY_KIND_" + name.uppercased()) else {
                    throw CLIError("--kind must be credit, debit or expiry, got '\(name)'")
                }
                return kind
            }
            let request = CustomerV1.ListWalletEntriesRequest(page: .init(pageSize: pageSize, pageToken: pageToken),
                                                              customerID: customerID, currency: currency, kinds: kinds)
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).listWalletEntries(request, options: client.callOptions())
            }
        }
    }

    /// The options CreditWallet and DebitWallet share.
    struct MovementOptions: ParsableArguments {
        @Argument(help: "Customer id.") var customerID: String
        @Option(help: "Amount in major units, e.g. 12.50.") var amount: String
        @Option(help: "ISO 4217 currency.") var currency: String
        @Option(help: "Why (shown in the ledger).") var reason: String
        @Option(help: "Refund, order or case id.") var reference: String = ""
        @Option(name: .customLong("expected-version"), help: "Wallet version to check (0 = don't).") var expectedVersion: Int64 = 0

        func money() throws -> CommonV1.Money {
            CommonV1.Money(currency: currency, minorUnits: try MajorUnits.parse(amount, currency: currency))
        }
    }

    struct Credit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add store credit (idempotent per --idempotency-key).")
        @OptionGroup var client: ServiceClientOptions
        @OptionGroup var movement: MovementOptions
        @Option(name: .customLong("expires-at"), help: "ISO 8601 instant, e.g. 2026-12-31T23:00:00Z (default: never).")
        var expiresAt: String?

        func run() async throws {
            var request = CustomerV1.CreditWalletRequest(customerID: movement.customerID, expectedVersion: movement.expectedVersion,
                                                         amount: try movement.money(), reason: movement.reason,
                                                         reference: movement.reference)
            if let expiresAt { request.expiresAt = try Instant.parse(expiresAt, option: "--expires-at") }
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).creditWallet(request, options: client.callOptions(mutating: true))
            }
        }
    }

    struct Debit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Spend store credit; fails with INSUFFICIENT_BALANCE rather than go below zero.")
        @OptionGroup var client: ServiceClientOptions
        @OptionGroup var movement: MovementOptions

        func run() async throws {
            let request = CustomerV1.DebitWalletRequest(customerID: movement.customerID, expectedVersion: movement.expectedVersion,
                                                        amount: try movement.money(), reason: movement.reason,
                                                        reference: movement.reference)
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).debitWallet(request, options: client.callOptions(mutating: true))
            }
        }
    }

    struct ExpireCredits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "expire-credits", abstract: "Write EXPIRY entries for lapsed credits.")
        @OptionGroup var client: ServiceClientOptions
        @Option(name: .customLong("customer-id"), help: "Only this customer (default: everyone).") var customerID: String = ""
        @Option(name: .customLong("as-of"), help: "ISO 8601 instant (default: now).") var asOf: String?

        func run() async throws {
            var request = CustomerV1.ExpireCreditsRequest(customerID: customerID)
            if let asOf { request.asOf = try Instant.parse(asOf, option: "--as-of") }
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).expireCredits(request, options: client.callOptions(mutating: true))
            }
        }
    }

    struct Feedback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Submit feedback from a SubmitFeedbackRequest JSON (or -).")
        @OptionGroup var client: ServiceClientOptions
        @Argument(help: #"e.g. {"customerId":"cus_1","rating":4,"text":"fast refund","orderId":"ord_1"}"#) var json: String

        func run() async throws {
            let request = try parseJSON(json, as: CustomerV1.SubmitFeedbackRequest.self)
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).submitFeedback(request, options: client.callOptions(mutating: true))
            }
        }
    }

    struct ListFeedback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list-feedback", abstract: "Feedback, newest first, filtered.")
        @OptionGroup var client: ServiceClientOptions
        @Option(name: .customLong("customer-id")) var customerID: String = ""
        @Option(name: .customLong("product-id")) var productID: String = ""
        @Option(name: .customLong("case-id")) var caseID: String = ""
        @Option(name: .customLong("min-rating")) var minRating: Int32 = 0
        @Option(name: .customLong("max-rating")) var maxRating: Int32 = 0
        @Option(help: "positive, neutral or negative.") var sentiment: String?
        @Option(name: .customLong("page-size")) var pageSize: Int32 = 0
        @Option(name: .customLong("page-token")) var pageToken: String = ""

        func run() async throws {
            var request = CustomerV1.ListFeedbackRequest(
                page: .init(pageSize: pageSize, pageToken: pageToken), customerID: customerID, productID: productID,
                caseID: caseID, minRating: minRating, maxRating: maxRating)
            if let sentiment {
                guard let label = CustomerV1.SentimentLabel(protoName: "SENTIMENT_LABEL_" + sentiment.uppercased()) else {
                    throw CLIError("--sentiment must be positive, neutral or negative, got '\(sentiment)'")
                }
                request.sentiment = label
            }
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).listFeedback(request, options: client.callOptions())
            }
        }
    }

    struct AssessRisk: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "assess-risk", abstract: "Score a case from an AssessReturnRiskRequest JSON (or -).")
        @OptionGroup var client: ServiceClientOptions
        @Argument(help: #"e.g. {"customerId":"cus_1","caseId":"case_1","kind":"CASE_KIND_RETURN_REFUND","caseValue":{"currency":"EUR","minorUnits":"4999"},"units":1}"#)
        var json: String

        func run() async throws {
            let request = try parseJSON(json, as: CustomerV1.AssessReturnRiskRequest.self)
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).assessReturnRisk(request, options: client.callOptions(mutating: true))
            }
        }
    }

    struct Risk: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The latest risk assessment of a case (or one by id).")
        @OptionGroup var client: ServiceClientOptions
        @Option(name: .customLong("case-id")) var caseID: String = ""
        @Option(name: .customLong("assessment-id")) var assessmentID: String = ""

        func run() async throws {
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).getRiskAssessment(.init(assessmentID: assessmentID, caseID: caseID),
                                                                   options: client.callOptions())
            }
        }
    }

    struct RecordInspection: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "record-inspection", abstract: "Record an inspection outcome from a RecordInspectionOutcomeRequest JSON (or -).")
        @OptionGroup var client: ServiceClientOptions
        @Argument(help: #"e.g. {"customerId":"cus_1","caseId":"case_1","findings":["INSPECTION_FINDING_EMPTY_BOX"],"unitsInspected":1,"unitsRejected":1}"#)
        var json: String

        func run() async throws {
            let request = try parseJSON(json, as: CustomerV1.RecordInspectionOutcomeRequest.self)
            try await client.run("customer") { rpc in
                try await Client(transport: rpc).recordInspectionOutcome(request, options: client.callOptions(mutating: true))
            }
        }
    }
}

extension CustomerCommand {
    /// "12.50" → 1250 minor units (no decimals for zero-decimal currencies such as JPY), without floating point.
    enum MajorUnits {
        static let zeroDecimal: Set<String> = ["JPY", "KRW", "VND", "CLP", "ISK"]

        static func parse(_ text: String, currency: String) throws -> Int64 {
            let decimals = zeroDecimal.contains(currency) ? 0 : 2
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isASCII),
                  let whole = Int64(parts[0]), whole >= 0,
                  parts.count == 1 || (parts[1].count <= decimals && parts[1].allSatisfy { $0.isASCII && $0.isNumber } && !parts[1].isEmpty)
            else { throw CLIError("--amount must be a positive amount with at most \(decimals) decimals, got '\(text)'") }
            let fraction = parts.count == 2 ? String(parts[1]).padding(toLength: decimals, withPad: "0", startingAt: 0) : ""
            var scale: Int64 = 1
            for _ in 0..<decimals { scale *= 10 }
            let (scaled, overflow) = whole.multipliedReportingOverflow(by: scale)
            guard !overflow else { throw CLIError("--amount is too large") }
            return scaled + (Int64(fraction) ?? 0)
        }
    }

    /// ISO 8601 instants for CLI options.
    enum Instant {
        static func parse(_ text: String, option: String) throws -> CommonV1.Timestamp {
            let formatter = ISO8601DateFormatter()
            guard let date = formatter.date(from: text) else {
                throw CLIError("\(option) must be an ISO 8601 instant such as 2026-12-31T23:00:00Z, got '\(text)'")
            }
            return CommonV1.Timestamp(date)
        }
    }
}
