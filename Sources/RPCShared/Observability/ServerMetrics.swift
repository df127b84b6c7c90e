import CoreMetrics
import Synchronization

/// swift-metrics instruments for a server, made once per method (and per status code on first use), so that a
/// call costs two metric updates and no factory lookups. Any swift-metrics backend can export them (Prometheus
/// through swift-prometheus).
///
/// - `aftersale_rpc_server_calls_total{method, code}` — finished calls.
/// - `aftersale_rpc_server_duration_seconds{method}` — latency (a Timer; Prometheus renders it as a histogram).
/// - `aftersale_rpc_server_connections_refused_total` — connections closed at accept (connection limits).
/// - `aftersale_rpc_server_idle_closed_total` — connections closed for idling (``ServerConfiguration/idleTimeout``).
final class ServerMetrics: Sendable {
    private final class PerMethod: Sendable {
        let duration: Timer
        let calls = Mutex<[Int32: Counter]>([:])
        init(duration: Timer) { self.duration = duration }
    }

    private let methods: [String: PerMethod]
    private let factory: any MetricsFactory
    private let refused: Counter
    private let idleClosed: Counter

    init(paths: [String], factory: any MetricsFactory) {
        self.factory = factory
        refused = Counter(label: "aftersale_rpc_server_connections_refused_total", factory: factory)
        idleClosed = Counter(label: "aftersale_rpc_server_idle_closed_total", factory: factory)
        var methods: [String: PerMethod] = [:]
        for path in paths {
            methods[path] = PerMethod(duration: Timer(label: "aftersale_rpc_server_duration_seconds", dimensions: [("method", path)],
                                                      factory: factory))
        }
        self.methods = methods
    }

    func connectionRefused() { refused.increment() }
    func idleConnectionClosed() { idleClosed.increment() }

    func record(path: String, code: StatusCode, duration: Duration) {
        guard let method = methods[path] else { return }
        method.duration.recordNanoseconds(duration.nanoseconds)
        let counter = method.calls.withLock { counters in
            if let counter = counters[code.rawValue] { return counter }
            let counter = Counter(label: "aftersale_rpc_server_calls_total", dimensions: [("method", path), ("code", "\(code)")],
                                  factory: factory)
            counters[code.rawValue] = counter
            return counter
        }
        counter.increment()
    }
}
