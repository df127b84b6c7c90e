import RPCShared

/// A failed call as the CLI reports it: one line, and the status code as the exit code — or, when the server was
/// never reached, the plain "cannot connect to …" line and 69 (``ExitStatus``).
struct CLIFailure: Error, CustomStringConvertible {
    let error: RPCError
    init(_ error: RPCError) { self.error = error }

    var exitCode: Int32 { ExitStatus.code(for: error) }

    var description: String {
        if let unreachable = ConnectFailure(error) { return unreachable.description }
        return "\(error.code): \(error.message)"
    }
}
