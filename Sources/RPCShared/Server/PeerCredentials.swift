#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Synchronization

/// Who is on the other end of an accepted connection, as the kernel says: the calling process on a Unix socket
/// (`SO_PEERCRED`), the remote address on TCP. Rate limits and connection limits are kept per peer.
struct PeerCredentials: Sendable, Hashable {
    /// `tcp://1.2.3.4:5678`, or the listening path plus `(pid P, uid U)` on a Unix socket.
    var description: String
    /// What connection limits count by: the remote IP on TCP, the process on a Unix socket.
    var limitKey: String

    /// Reads the peer of `channel`; must run on the channel's event loop (it does in a child channel initializer
    /// and in `handlerAdded`), where the socket option is read synchronously.
    static func of(_ channel: any Channel, listening endpoint: Endpoint) -> PeerCredentials {
        if let address = channel.remoteAddress, address.pathname == nil {
            let ip = address.ipAddress ?? "?"
            return PeerCredentials(description: "tcp://\(ip):\(address.port ?? 0)", limitKey: "ip:\(ip)")
        }
        guard let (pid, uid) = unixCredentials(channel) else {
            return PeerCredentials(description: endpoint.description, limitKey: "unix:\(endpoint)")
        }
        return PeerCredentials(description: "\(endpoint) (pid \(pid), uid \(uid))", limitKey: "pid:\(pid)")
    }

    /// `SO_PEERCRED`: Linux's `struct ucred { pid_t pid; uid_t uid; gid_t gid; }`, read as a tuple because Swift lays
    /// tuples out like C structs and Glibc's module does not export `ucred`.
    private static func unixCredentials(_ channel: any Channel) -> (pid: Int32, uid: UInt32)? {
        #if os(Linux)
        guard let provider = channel as? any SocketOptionProvider, channel.eventLoop.inEventLoop else { return nil }
        let option: EventLoopFuture<(Int32, UInt32, UInt32)> =
            provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        // On the channel's loop the option is read at once: the future is already complete here.
        let result = ResultBox()
        option.whenSuccess { value in result.value.withLock { $0 = (pid: value.0, uid: value.1) } }
        return result.value.withLock { $0 }
        #else
        return nil
        #endif
    }

    private final class ResultBox: Sendable {
        let value = Mutex<(pid: Int32, uid: UInt32)?>(nil)
    }
}
