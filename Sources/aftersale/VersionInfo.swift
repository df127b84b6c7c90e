import RPCShared

/// What `aftersale --version` prints: the release, the commit the build saw (``BuildInfo``, written by
/// Plugins/BuildInfoPlugin) and the wire protocol this binary speaks.
enum VersionInfo {
    /// The release version, raised by hand when a release is cut (the commit says which build it is).
    static let version = "0.5.0"

    /// The version byte of the connection preface (docs/PROTOCOL.md §3): `ASRP/1`.
    static let protocolVersion = "ASRP/\(WireProtocol.preface[4])"

    static let text = """
        aftersale \(version)
        commit: \(BuildInfo.commit)
        protocol: \(protocolVersion)
        """
}
