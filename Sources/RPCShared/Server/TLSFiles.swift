/// A server's TLS material, as PEM files: its certificate chain and private key, and optionally the CA whose
/// certificates clients must present (mutual TLS). Today the gRPC listener uses it; the native TCP listener picks
/// the same options up in a later change (docs/OPERATIONS.md).
public struct TLSFiles: Sendable, Hashable {
    public var certificateChain: String
    public var privateKey: String
    /// With a CA, clients must present a certificate it signed; without, any client may connect (server-only TLS).
    public var clientCA: String?

    public init(certificateChain: String, privateKey: String, clientCA: String? = nil) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.clientCA = clientCA
    }
}
