import RPCShared
import Synchronization

/// What one worker saw in one phase; merged after the phase.
struct Tally: Sendable {
    /// Whole workflows (OpenCase start → approval done) completed inside the phase, in nanoseconds.
    var latencies: [Int64] = []
    var openLatencies: [Int64] = []
    var approveLatencies: [Int64] = []
    var autoApproved = 0
    var agentApproved = 0
    /// Opened but left in another status than REQUESTED/APPROVED/AWAITING_SHIPMENT (e.g. REJECTED by risk).
    var otherStatus: [String: Int] = [:]
    /// Completed after the phase's end: not counted (their latency neither).
    var late = 0
    var errors: [String: Int] = [:]
    var firstErrors: [String] = []

    mutating func merge(_ other: Tally) {
        latencies += other.latencies
        openLatencies += other.openLatencies
        approveLatencies += other.approveLatencies
        autoApproved += other.autoApproved
        agentApproved += other.agentApproved
        otherStatus.merge(other.otherStatus, uniquingKeysWith: +)
        late += other.late
        errors.merge(other.errors, uniquingKeysWith: +)
        for message in other.firstErrors where firstErrors.count < 5 { firstErrors.append(message) }
    }

    mutating func fail(_ step: String, _ error: any Error) {
        let code = (error as? RPCError)?.code.description ?? "CLIENT"
        errors["\(step) \(code)", default: 0] += 1
        if firstErrors.count < 5 { firstErrors.append("\(step): \(error)") }
    }

    var errorCount: Int { errors.values.reduce(0, +) }
}

/// The next unit to take, and whether a worker found none left.
final class Pool: Sendable {
    let next = Atomic<Int>(0)
    let dry = Atomic<Bool>(false)
}

/// The measured loop: gateway OpenCase, then ApproveCase when the case is still REQUESTED.
struct Workload: Sendable {
    let gateway: GatewayV1.AfterSaleGateway.Client
    let options: Options
    /// One per agent token: worker w calls as agent w mod count (the gateway rate-limits each caller).
    let bases: [CallOptions]

    /// Runs `concurrency` workers over `units` until `seconds` have passed or the pool is used up; returns the
    /// merged tally, the phase's length in seconds and whether the pool ran dry.
    func phase(_ name: String, units: [Unit], seconds: Double) async -> (tally: Tally, elapsed: Double, exhausted: Bool) {
        let pool = Pool()
        let clock = ContinuousClock()
        let start = clock.now
        let end = start + .milliseconds(Int64(seconds * 1000))
        let tally = await withTaskGroup(of: Tally.self) { group in
            for worker in 0..<options.concurrency {
                let base = bases[worker % bases.count]
                group.addTask {
                    var tally = Tally()
                    while clock.now < end {
                        let index = pool.next.add(1, ordering: .relaxed).oldValue
                        guard index < units.count else { pool.dry.store(true, ordering: .relaxed); break }
                        await workflow(units[index], key: "\(options.runID):\(name):\(index)", base: base, clock: clock, end: end, into: &tally)
                    }
                    return tally
                }
            }
            var merged = Tally()
            for await tally in group { merged.merge(tally) }
            return merged
        }
        let exhausted = pool.dry.load(ordering: .relaxed)
        let elapsed = exhausted ? (clock.now - start).seconds : seconds
        return (tally, min(elapsed, seconds), exhausted)
    }

    private func workflow(_ unit: Unit, key: String, base: CallOptions, clock: ContinuousClock,
                          end: ContinuousClock.Instant, into tally: inout Tally) async {
        let started = clock.now
        let open = GatewayV1.OpenCaseRequest(
            orderID: unit.orderID, customerID: unit.customerID, kind: .returnRefund,
            lines: [.init(orderLineID: unit.orderLineID, quantity: 1, reason: unit.reason, requestedResolution: .refund)],
            note: "workflow-bench")
        let view: GatewayV1.CaseView
        do {
            view = try await gateway.openCase(open, options: keyed(base, key + ":open"))
        } catch {
            return tally.fail("OpenCase", error)
        }
        let opened = clock.now
        guard let afterSaleCase = view.afterSaleCase else {
            return tally.fail("OpenCase", BenchFailure("the CaseView has no case"))
        }
        var approvedBy: String
        switch afterSaleCase.status {
        case .requested:
            let approve = GatewayV1.ApproveCaseRequest(caseID: afterSaleCase.id, expectedVersion: afterSaleCase.version,
                                                       note: "workflow-bench")
            let approved: GatewayV1.CaseView
            do {
                approved = try await gateway.approveCase(approve, options: keyed(base, key + ":approve"))
            } catch {
                return tally.fail("ApproveCase", error)
            }
            let status = approved.afterSaleCase?.status ?? .unspecified
            guard status == .approved || status == .awaitingShipment else {
                return tally.fail("ApproveCase", BenchFailure("case \(afterSaleCase.id) is \(status) after approval"))
            }
            approvedBy = "agent"
        case .approved, .awaitingShipment:
            approvedBy = "auto"
        default:
            approvedBy = "\(afterSaleCase.status)"
        }
        let done = clock.now
        guard done <= end else { tally.late += 1; return }
        tally.latencies.append((done - started).nanoseconds)
        tally.openLatencies.append((opened - started).nanoseconds)
        switch approvedBy {
        case "agent":
            tally.agentApproved += 1
            tally.approveLatencies.append((done - opened).nanoseconds)
        case "auto": tally.autoApproved += 1
        default: tally.otherStatus[approvedBy, default: 0] += 1
        }
    }

    private func keyed(_ base: CallOptions, _ key: String) -> CallOptions {
        var options = base
        options.metadata.set("idempotency-key", key)
        return options
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
    var seconds: Double { Double(nanoseconds) / 1e9 }
}
