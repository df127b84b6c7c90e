import Synchronization

/// How a background worker learns there is new work: a flag set after a commit, polled while it idles, so a
/// wake-up sent while the worker is busy is not lost and one that never comes costs at most `timeout`.
final class WorkerWakeup: Sendable {
    private let flag = Atomic<Bool>(false)

    func wake() { flag.store(true, ordering: .releasing) }

    /// Returns after a ``wake()`` (at once if one is pending), after `timeout`, or when the task is cancelled.
    func wait(upTo timeout: Duration, poll: Duration = .milliseconds(25)) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && !Task.isCancelled {
            if flag.exchange(false, ordering: .acquiringAndReleasing) { return }
            try? await Task.sleep(for: poll)
        }
    }
}
