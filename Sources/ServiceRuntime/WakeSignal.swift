import Synchronization

/// How a background worker (the outbox relay, refund executors, pending-call senders) learns there is new work:
/// a wake-up sent after a commit is remembered until the worker next waits, so one sent while it is busy is not
/// lost, and a worker that is never woken still looks again after its poll interval.
public final class WakeSignal: Sendable {
    private let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    public init() {}

    public func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after a ``wake()`` (at once if one is pending), after `timeout`, or when the task is cancelled.
    /// A timer that fires late leaves a pending wake-up behind, which costs one extra pass and nothing else.
    public func wait(upTo timeout: Duration) async {
        let timer = Task { [self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            wake()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            wake()
        }
        timer.cancel()
    }
}
