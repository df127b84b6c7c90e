import RPCShared
import ServiceRuntime

/// The five services the gateway orchestrates, each behind one multiplexed, lazily connected client that presents
/// the gateway's service token.
public struct Downstream: Sendable {
    public var order: OrderV1.OrderService.Client
    public var product: ProductV1.ProductService.Client
    public var customer: CustomerV1.CustomerService.Client
    public var logistics: LogisticsV1.LogisticsService.Client
    public var reporting: ReportingV1.ReportingService.Client

    public init(order: OrderV1.OrderService.Client, product: ProductV1.ProductService.Client,
                customer: CustomerV1.CustomerService.Client, logistics: LogisticsV1.LogisticsService.Client,
                reporting: ReportingV1.ReportingService.Client) {
        self.order = order
        self.product = product
        self.customer = customer
        self.logistics = logistics
        self.reporting = reporting
    }

    /// Every client over one transport (tests serve all five services from one in-process or socket server).
    public init(transport: any ClientTransport) {
        self.init(order: .init(transport: transport), product: .init(transport: transport),
                  customer: .init(transport: transport), logistics: .init(transport: transport),
                  reporting: .init(transport: transport))
    }
}

/// How one gateway call reaches downstream: every downstream call gets a deadline derived from the caller's
/// remaining time (less a margin so the gateway can still answer), and the caller's trace.
public struct DownstreamBudget: Sendable {
    /// When the gateway must have answered; the caller's deadline or, without one, ``defaultBudget`` from now.
    public var deadline: ContinuousClock.Instant
    public var traceparent: String?

    /// The time a call without a deadline may take end to end.
    public static let defaultBudget: Duration = .seconds(10)
    /// Kept back from each downstream deadline for the gateway's own work after the call.
    public static let margin: Duration = .milliseconds(20)
    /// Longest single downstream call, so one slow service cannot use all of a generous deadline.
    public static let perCallCap: Duration = .seconds(5)
    /// How long a workflow step waits for a downstream service it cannot reach (a restart takes well under two
    /// seconds) before the step fails with UNAVAILABLE; within the call's timeout. The CaseView's reads do not
    /// wait: a missing section is named in `unavailable_sections` at once instead.
    public static let waitForReady: Duration = .seconds(3)

    public init(deadline: ContinuousClock.Instant, traceparent: String? = nil) {
        self.deadline = deadline
        self.traceparent = traceparent
    }

    public init(context: ServerContext) {
        self.init(deadline: context.deadline ?? .now + Self.defaultBudget,
                  traceparent: context.traceparent.isEmpty ? nil : context.traceparent)
    }

    /// A budget for background work (the reconciler), which has no caller.
    public static func background(_ budget: Duration = .seconds(10)) -> DownstreamBudget {
        DownstreamBudget(deadline: .now + budget)
    }

    /// The time left for the next downstream call; DEADLINE_EXCEEDED when nothing useful is left.
    public func timeout() throws -> Duration {
        let left = deadline - .now - Self.margin
        guard left > .milliseconds(1) else {
            throw RPCError(.deadlineExceeded, "the call's deadline passed before the gateway could finish")
        }
        return min(left, Self.perCallCap)
    }

    /// Options for a read.
    public func read() throws -> CallOptions {
        CallOptions(timeout: try timeout(), traceparent: traceparent, waitForReady: Self.waitForReady)
    }

    /// Options for a read of an optional CaseView section: fails fast when the service is unreachable, so the
    /// view can leave that section out at once.
    public func sectionRead() throws -> CallOptions {
        CallOptions(timeout: try timeout(), traceparent: traceparent)
    }

    /// Options for a mutation under `idempotencyKey` (derived per step by the saga).
    public func mutation(idempotencyKey: String) throws -> CallOptions {
        CallOptions(timeout: try timeout(), metadata: ["idempotency-key": idempotencyKey], traceparent: traceparent,
                    waitForReady: Self.waitForReady)
    }
}
