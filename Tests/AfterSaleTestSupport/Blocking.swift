import Dispatch

/// Runs blocking work (waiting for a child process, reading its pipes) on a Dispatch thread, not on Swift's
/// cooperative pool: that pool has one thread per core — two here — and a test parked on one starves every
/// other test's tasks, turning timing assertions into flakes.
public func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
