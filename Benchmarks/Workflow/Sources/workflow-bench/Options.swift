import Foundation

/// The command line, parsed by hand (the package uses only RPCShared from the main package).
struct Options: Sendable {
    var gateway = ""
    var order = ""
    var customer = ""
    var agentToken = ""
    var serviceToken = ""
    var concurrency = 16
    var duration = 10.0
    var warmup = 2.0
    /// Connections to the gateway (the same address given N times to one RPCClient, used round-robin).
    var connections = 1
    /// Units on the one line of each benchmark order: each workflow returns one of them.
    var unitsPerOrder: Int32 = 4
    /// Units of each order that workflows return (the rest is purchase history for the risk model).
    var casesPerOrder = 1
    var ordersPerCustomer = 1
    /// The share of orders whose case the risk model sends to review (phones, DEFECTIVE): agent-approved.
    var agentShare = 0.5
    /// Units set up before the warm-up; the measured run's pool is sized from the warm-up's rate.
    var warmupUnits = 1_000
    var maxUnits = 60_000
    /// The measured pool is the warm-up rate × duration × this, so a faster steady state does not run dry.
    var poolMargin = 2.0
    var setupConcurrency = 16
    /// Pause after each setup, `settle` + `settlePerOrder` × orders created: CreateOrder queues a
    /// ProductService.RecordSale per line and outbox events for ReportingService, delivered in the background, and
    /// the measurement should not pay for the setup's (3 s after ~2,000 orders was not enough).
    var settle = 3.0
    var settlePerOrder = 0.005
    var callTimeout = 10.0
    var runID = String(UInt32.random(in: 0 ... .max), radix: 36)

    static let usage = """
        workflow-bench --gateway ADDR --order ADDR --customer ADDR --agent-token T --service-token T [options]

        Sets up customers and delivered orders directly in CustomerService and OrderService (service token), then
        runs N workers, each looping gateway OpenCase (RETURN_REFUND, 1 unit) → ApproveCase (agent token) when the
        case is still REQUESTED, for a warm-up and then D measured seconds. Prints one JSON line.

          --concurrency N          workers (16)
          --duration S             measured seconds (10)
          --warmup S               unmeasured seconds first (2)
          --connections N          gateway connections (1)
          --units-per-order N      units on each order's one line (4)
          --cases-per-order N      of those units, how many workflows return (1)
          --orders-per-customer N  (1)
          --agent-share X          share of orders (0…1) whose cases go to an agent: phones returned as DEFECTIVE
                                   without photos score INSPECT_FIRST; the rest, jeans for SIZE_FIT, are
                                   auto-approved at opening (0.5)
          --warmup-units N         units set up for the warm-up (1000)
          --max-units N            cap on the measured run's pool (60000)
          --pool-margin X          measured pool = warm-up rate × duration × X (2)
          --setup-concurrency N    parallel setup calls (16)
          --settle S               pause after each setup for the services' background deliveries (3) …
          --settle-per-order S     … plus this per order created (0.005)
          --call-timeout S         deadline of every call (10)
          --run-id ID              prefix of ids and idempotency keys (random)
        --agent-token takes one token or several, comma-separated (worker w uses token w mod count: the gateway
        rate-limits each caller, 500 calls/s by default). Tokens may also come from WORKFLOW_BENCH_AGENT_TOKEN / WORKFLOW_BENCH_SERVICE_TOKEN.
        """

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        let environment = ProcessInfo.processInfo.environment
        options.agentToken = environment["WORKFLOW_BENCH_AGENT_TOKEN"] ?? ""
        options.serviceToken = environment["WORKFLOW_BENCH_SERVICE_TOKEN"] ?? ""
        var iterator = arguments.makeIterator()
        func value(_ flag: String) throws -> String {
            guard let value = iterator.next() else { throw UsageError("\(flag) needs a value") }
            return value
        }
        func number<T: LosslessStringConvertible & Comparable>(_ flag: String, _ minimum: T) throws -> T {
            let text = try value(flag)
            guard let number = T(text), number >= minimum else { throw UsageError("\(flag): '\(text)' is not a number ≥ \(minimum)") }
            return number
        }
        while let flag = iterator.next() {
            switch flag {
            case "--gateway": options.gateway = try value(flag)
            case "--order": options.order = try value(flag)
            case "--customer": options.customer = try value(flag)
            case "--agent-token": options.agentToken = try value(flag)
            case "--service-token": options.serviceToken = try value(flag)
            case "--concurrency": options.concurrency = try number(flag, 1)
            case "--duration": options.duration = try number(flag, 0.1)
            case "--warmup": options.warmup = try number(flag, 0.0)
            case "--connections": options.connections = try number(flag, 1)
            case "--units-per-order": options.unitsPerOrder = try number(flag, 1)
            case "--orders-per-customer": options.ordersPerCustomer = try number(flag, 1)
            case "--cases-per-order": options.casesPerOrder = try number(flag, 1)
            case "--agent-share": options.agentShare = min(try number(flag, 0.0), 1)
            case "--warmup-units": options.warmupUnits = try number(flag, 0)
            case "--max-units": options.maxUnits = try number(flag, 1)
            case "--pool-margin": options.poolMargin = try number(flag, 1.0)
            case "--setup-concurrency": options.setupConcurrency = try number(flag, 1)
            case "--settle": options.settle = try number(flag, 0.0)
            case "--settle-per-order": options.settlePerOrder = try number(flag, 0.0)
            case "--call-timeout": options.callTimeout = try number(flag, 0.1)
            case "--run-id": options.runID = try value(flag)
            case "-h", "--help": throw UsageError(nil)
            default: throw UsageError("unknown argument '\(flag)'")
            }
        }
        for (flag, given) in [("--gateway", options.gateway), ("--order", options.order), ("--customer", options.customer),
                              ("--agent-token", options.agentToken), ("--service-token", options.serviceToken)]
            where given.isEmpty {
            throw UsageError("\(flag) is required")
        }
        return options
    }
}

struct UsageError: Error {
    var message: String?
    init(_ message: String?) { self.message = message }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
