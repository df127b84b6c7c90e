import RPCShared

/// The exit statuses of `aftersale`, chosen so that they never collide (docs/CLI.md has the table):
///
/// - 0: success;
/// - 1–16: a call failed, and this is its status code (1 CANCELLED … 16 UNAUTHENTICATED);
/// - 64 and up: the command never got an answer to judge, numbered as in BSD's sysexits.h.
enum ExitStatus: Int32, Sendable {
    /// EX_USAGE: a wrong flag, argument or value (an unknown method, a duration that is not one).
    case usage = 64
    /// EX_DATAERR: input that is not what it should be (JSON that is not the request type, hex that is not hex).
    case dataError = 65
    /// EX_NOINPUT: an input file that does not exist or cannot be read (`@FILE`, a keys file).
    case noInput = 66
    /// EX_UNAVAILABLE: no server to talk to (cannot connect: no socket, refused, timed out), or a health check
    /// that answered something other than SERVING.
    case unavailable = 69
    /// EX_SOFTWARE: a bug or a state the CLI cannot explain (anything not classified above or below).
    case software = 70
    /// EX_CANTCREAT: an output file or directory that cannot be written.
    case cannotCreate = 73
    /// EX_TEMPFAIL: try again later (another `aftersale up` holds the directory).
    case temporaryFailure = 75
    /// EX_CONFIG: the configuration is incomplete or wrong (no token keys, unusable settings).
    case configuration = 78

    /// The exit status for a failed call: its status code, or 69 when the server could not be reached at all.
    static func code(for error: RPCError) -> Int32 {
        ConnectFailure(error) != nil ? ExitStatus.unavailable.rawValue : error.code.rawValue
    }
}

/// A call that failed because the client never reached the server, as the RPC client reports it (its UNAVAILABLE
/// "cannot connect to ADDRESS: REASON", with "; next attempt in …" while it backs off). The CLI prints the one line
/// without the status name and the backoff, and exits 69 rather than 14: 14 is kept for a server that answered
/// UNAVAILABLE (its own dependency is down).
struct ConnectFailure: CustomStringConvertible {
    let description: String

    init?(_ error: RPCError) {
        guard error.code == .unavailable, error.message.hasPrefix("cannot connect to ") else { return nil }
        var message = Substring(error.message)
        if let backoff = message.range(of: "; next attempt in ") { message = message[..<backoff.lowerBound] }
        description = String(message)
    }
}
