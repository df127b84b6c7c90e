/// When `aftersale up` restarts a child and how long it waits for one.
struct RestartPolicy: Sendable {
    /// The first restart waits this long; each further crash in a row doubles it, up to ``maximumBackoff``.
    var initialBackoff: Duration = .milliseconds(500)
    var maximumBackoff: Duration = .seconds(30)
    /// A child that stayed up this long starts again from ``initialBackoff`` when it next crashes.
    var stableAfter: Duration = .seconds(60)
    /// A child that exits this many times in a row without ever answering SERVING is given up (a placeholder
    /// service, a bad flag): restarting it forever would only fill its log.
    var maxFailedStarts = 5
    /// How long a started child may take to answer SERVING before it is restarted.
    var startTimeout: Duration = .seconds(60)
    /// After SIGTERM, how long children may drain before SIGKILL.
    var stopGrace: Duration = .seconds(10)

    func backoff(afterCrashes crashes: Int) -> Duration {
        var delay = initialBackoff
        for _ in 1..<max(1, crashes) where delay < maximumBackoff { delay *= 2 }
        return min(delay, maximumBackoff)
    }
}
