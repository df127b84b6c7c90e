import RPCShared
import ServiceRuntime

/// What a downstream failure means to the gateway's caller.
///
/// A dependency that is down or too slow is UNAVAILABLE (`DEPENDENCY_UNAVAILABLE`, naming the service, with a
/// retry hint); a refusal of the gateway's own token is INTERNAL (the caller did nothing wrong and must not read
/// it as its own authentication failing); every other status — NOT_FOUND, FAILED_PRECONDITION, ABORTED,
/// INVALID_ARGUMENT — is the caller's answer and passes through with its details.
public enum GatewayCallError {
    /// Runs one downstream call to `service`, translating its failure.
    public static func map<T>(_ service: String, _ call: () async throws -> T) async throws -> T {
        do { return try await call() } catch { throw translate(error, service: service) }
    }

    public static func translate(_ error: any Error, service: String) -> any Error {
        guard let error = error as? RPCError else {
            if error is CancellationError { return error }
            return RPCError(.internal, "\(service): \(error)")
        }
        switch error.code {
        case .unavailable, .deadlineExceeded, .cancelled:
            if error.errorDetails?.reason == "DEPENDENCY_UNAVAILABLE" { return error }
            return RPCError.dependencyUnavailable(service, error)
        case .resourceExhausted where error.errorDetails?.reason != "OUT_OF_STOCK":
            return RPCError.dependencyUnavailable(service, error, retryAfterMillis: 1000)
        case .unauthenticated, .permissionDenied:
            return RPCError(.internal, "\(service) refused the gateway's service token (check the token keys): \(error.message)")
        default:
            return error
        }
    }

    /// Whether retrying the same call later may succeed (the outcome of a mutation that failed so is unknown).
    public static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? RPCError else { return error is CancellationError }
        switch error.code {
        case .unavailable, .deadlineExceeded, .cancelled: return true
        case .resourceExhausted: return error.errorDetails?.reason != "OUT_OF_STOCK"
        default: return false
        }
    }
}
