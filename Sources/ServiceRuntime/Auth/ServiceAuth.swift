import Foundation

/// How a service process authenticates: with the shared token keys, or — only when asked for explicitly — not at
/// all. `unconfigured` is what settings hold when neither was given; ``ServiceHost`` refuses to run with it.
public enum ServiceAuth: Sendable {
    case unconfigured
    case insecureNoAuth
    case keys(TokenKeySet)

    public static let insecureVariable = "AFTERSALE_INSECURE_NO_AUTH"

    /// The one line a service prints when it has no keys.
    public static let missingKeysMessage = "no token keys: set \(TokenKeySource.inlineVariable)=kid=base64secret or "
        + "--token-keys-file PATH (or \(TokenKeySource.fileVariable)); for local experiments only, --insecure-no-auth "
        + "or \(insecureVariable)=1"

    /// Keys from `--token-keys-file` / the environment; `--insecure-no-auth` or `AFTERSALE_INSECURE_NO_AUTH=1` when
    /// there are none.
    public static func resolve(tokenKeysFile: String?, insecureNoAuth: Bool,
                               environment: [String: String]) throws -> ServiceAuth {
        if let (keys, _) = try TokenKeySource.load(file: tokenKeysFile, environment: environment) { return .keys(keys) }
        let insecure = insecureNoAuth || ["1", "true", "yes"].contains(environment[insecureVariable]?.lowercased() ?? "")
        return insecure ? .insecureNoAuth : .unconfigured
    }

    public var keys: TokenKeySet? {
        if case .keys(let keys) = self { return keys }
        return nil
    }
}
