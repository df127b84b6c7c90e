import RPCShared

/// The failures every service returns, each with the `ErrorDetails.reason` docs/CONTRACT.md names, so callers
/// can branch on a reason rather than parse a message.
extension RPCError {
    /// The trailer that carries a retry delay in milliseconds (gRPC's retry-pushback name).
    public static let retryPushbackKey = "grpc-retry-pushback-ms"

    /// RESOURCE_EXHAUSTED that tells the caller when to try again, both in `ErrorDetails.retry_after_millis` and in
    /// the ``retryPushbackKey`` trailer (readable without decoding details).
    public static func tryAgainLater(_ message: String, reason: String, afterMillis millis: Int64) -> RPCError {
        var error = RPCError(.resourceExhausted, message, details: .init(reason: reason, retryAfterMillis: millis))
        error.trailers.add(retryPushbackKey, "\(millis)")
        return error
    }

    /// INVALID_ARGUMENT for one field.
    public static func invalidArgument(_ field: String, _ description: String) -> RPCError {
        invalidArgument([CommonV1.FieldViolation(field: field, description: description)])
    }

    /// INVALID_ARGUMENT listing every violation: "lines[0].quantity: must be positive; order_id: is required".
    public static func invalidArgument(_ violations: [CommonV1.FieldViolation]) -> RPCError {
        let message = violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
        return RPCError(.invalidArgument, message,
                        details: .init(fieldViolations: violations, reason: "VALIDATION_FAILED"))
    }

    /// NOT_FOUND for `kind/id`, e.g. `notFound("case", "case_01J…")`.
    public static func notFound(_ kind: String, _ id: String) -> RPCError {
        RPCError(.notFound, "\(kind) \(id) does not exist",
                 details: .init(reason: "NOT_FOUND", resource: "\(kind)/\(id)"))
    }

    /// ALREADY_EXISTS for `kind/id`.
    public static func alreadyExists(_ kind: String, _ id: String) -> RPCError {
        RPCError(.alreadyExists, "\(kind) \(id) already exists",
                 details: .init(reason: "ALREADY_EXISTS", resource: "\(kind)/\(id)"))
    }

    /// FAILED_PRECONDITION: the state of `resource` forbids the request; `reason` is machine-readable.
    public static func failedPrecondition(_ reason: String, _ message: String, resource: String = "",
                                          metadata: [String: String] = [:]) -> RPCError {
        RPCError(.failedPrecondition, message,
                 details: .init(reason: reason, resource: resource, metadata: metadata))
    }

    /// ABORTED: the caller's `expected_version` is stale.
    public static func versionConflict(_ kind: String, _ id: String, expected: Int64, current: Int64) -> RPCError {
        RPCError(.aborted, "\(kind) \(id) is at version \(current), not \(expected); reload and retry",
                 details: .init(reason: "VERSION_CONFLICT", resource: "\(kind)/\(id)",
                                metadata: ["expected_version": "\(expected)", "current_version": "\(current)"]))
    }

    /// Checks an `expected_version` (0 = don't check) against the stored one.
    public static func checkVersion(_ kind: String, _ id: String, expected: Int64, current: Int64) throws {
        if expected != 0 && expected != current {
            throw versionConflict(kind, id, expected: expected, current: current)
        }
    }

    /// UNAVAILABLE because a downstream service is down.
    public static func dependencyUnavailable(_ service: String, _ cause: any Error, retryAfterMillis: Int64 = 500) -> RPCError {
        RPCError(.unavailable, "\(service) is unavailable: \(cause)",
                 details: .init(reason: "DEPENDENCY_UNAVAILABLE", resource: service, retryAfterMillis: retryAfterMillis))
    }
}
