import Foundation
import RPCShared

/// workflow-bench: set up customers and delivered orders, warm up, size the measured pool from the warm-up's rate,
/// set that up, measure, print one JSON line. Progress goes to standard error.
func log(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func percentile(_ sorted: [Int64], _ fraction: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
    return Double(sorted[min(max(rank, 0), sorted.count - 1)]) / 1e6   // ms
}

func summary(_ values: [Int64]) -> [String: Any] {
    let sorted = values.sorted()
    var out: [String: Any] = ["count": sorted.count]
    for (name, fraction) in [("p50_ms", 0.5), ("p90_ms", 0.9), ("p99_ms", 0.99), ("p999_ms", 0.999), ("max_ms", 1.0)] {
        out[name] = percentile(sorted, fraction).map { ($0 * 1000).rounded() / 1000 } ?? NSNull()
    }
    out["mean_ms"] = sorted.isEmpty ? NSNull() : (Double(sorted.reduce(0, +)) / Double(sorted.count) / 1e6 * 1000).rounded() / 1000
    return out
}

func authorized(_ token: String, timeout: Double) -> CallOptions {
    CallOptions(timeout: .milliseconds(Int64(timeout * 1000)), metadata: ["authorization": "Bearer \(token)"])
}

func run(_ options: Options) async throws -> [String: Any] {
    let gatewayTransport = try RPCClient(Array(repeating: options.gateway, count: options.connections).joined(separator: ","))
    let orderTransport = try RPCClient(options.order)
    let customerTransport = try RPCClient(options.customer)
    defer {
        Task { await gatewayTransport.close(); await orderTransport.close(); await customerTransport.close() }
    }
    let fixtures = Fixtures(orders: .init(transport: orderTransport), customers: .init(transport: customerTransport),
                            options: options, base: authorized(options.serviceToken, timeout: options.callTimeout))
    let agents = options.agentToken.split(separator: ",").map { authorized(String($0), timeout: options.callTimeout) }
    let workload = Workload(gateway: .init(transport: gatewayTransport), options: options, bases: agents)
    let clock = ContinuousClock()

    var setupSeconds = 0.0, customers = 0, orders = 0
    func setUp(_ count: Int, batch: String) async throws -> [Unit] {
        let started = clock.now
        let made = try await fixtures.make(count: count, batch: batch)
        let took = (clock.now - started).seconds
        setupSeconds += took
        customers += made.customers
        orders += made.orders
        log("setup \(batch): \(made.customers) customers, \(made.orders) orders, \(made.units.count) units in \(String(format: "%.1f", took)) s")
        let settle = options.settle + options.settlePerOrder * Double(made.orders)
        if settle > 0 { try await Task.sleep(for: .milliseconds(Int64(settle * 1000))) }
        return made.units
    }

    // Warm-up: its own pool; its rate sizes the measured pool.
    var warmupResult: [String: Any] = ["seconds": 0, "workflows": 0]
    var rate = 0.0
    if options.warmup > 0 {
        let units = try await setUp(max(options.warmupUnits, options.concurrency * 8), batch: "w")
        let (tally, elapsed, exhausted) = await workload.phase("w", units: units, seconds: options.warmup)
        rate = Double(tally.latencies.count) / max(elapsed, 0.001)
        warmupResult = ["seconds": elapsed, "workflows": tally.latencies.count, "errors": tally.errorCount,
                        "exhausted": exhausted, "rate": rate.rounded()]
        log("warm-up: \(tally.latencies.count) workflows in \(String(format: "%.1f", elapsed)) s, \(tally.errorCount) errors\(exhausted ? " (pool used up)" : "")")
        if !tally.firstErrors.isEmpty { log("first warm-up errors:\n  " + tally.firstErrors.joined(separator: "\n  ")) }
    }
    let wanted = rate > 0 ? Int(rate * options.duration * options.poolMargin) : options.warmupUnits * 4
    let poolSize = min(max(wanted, options.concurrency * 16, 500), options.maxUnits)
    let units = try await setUp(poolSize, batch: "m")

    log("measuring: concurrency \(options.concurrency), \(options.duration) s, pool \(units.count) units")
    let (tally, elapsed, exhausted) = await workload.phase("m", units: units, seconds: options.duration)
    let completed = tally.latencies.count
    log("measured: \(completed) workflows in \(String(format: "%.2f", elapsed)) s, \(tally.errorCount) errors\(exhausted ? " (pool used up)" : "")")
    for message in tally.firstErrors { log("  error: \(message)") }

    var result: [String: Any] = [
        "concurrency": options.concurrency,
        "connections": options.connections,
        "agents": agents.count,
        "duration_s": elapsed,
        "workflows": completed,
        "workflows_per_s": (Double(completed) / max(elapsed, 0.001) * 10).rounded() / 10,
        "auto_approved": tally.autoApproved,
        "agent_approved": tally.agentApproved,
        "other_status": tally.otherStatus,
        "late": tally.late,
        "errors": tally.errorCount,
        "errors_by_code": tally.errors,
        "first_errors": tally.firstErrors,
        "pool_exhausted": exhausted,
        "pool_units": units.count,
        "latency": summary(tally.latencies),
        "open_latency": summary(tally.openLatencies),
        "approve_latency": summary(tally.approveLatencies),
        "warmup": warmupResult,
        "setup": ["customers": customers, "orders": orders, "seconds": (setupSeconds * 10).rounded() / 10,
                  "units_per_order": Int(options.unitsPerOrder), "cases_per_order": options.casesPerOrder, "orders_per_customer": options.ordersPerCustomer,
                  "agent_share": options.agentShare],
        "run_id": options.runID,
    ]
    let latency = result["latency"] as? [String: Any]
    result["p50_ms"] = latency?["p50_ms"] ?? NSNull()
    result["p99_ms"] = latency?["p99_ms"] ?? NSNull()
    return result
}

let options: Options
do {
    options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
} catch let error as UsageError {
    if let message = error.message { log("workflow-bench: \(message)") }
    print(Options.usage)
    exit(error.message == nil ? 0 : 2)
}
do {
    let result = try await run(options)
    let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
} catch {
    log("workflow-bench: \(error)")
    exit(1)
}
