import Foundation
import JWTKit
import Logging
import Synchronization

/// Checks bearer tokens for one service: JWTs signed HS256 with a key of the shared ``TokenKeySet`` or RS256/ES256
/// with a key of ``TokenVerifierOptions/publicKeys``, verified by jwt-kit; legacy `ast1` tokens only when
/// ``TokenVerifierOptions/acceptLegacyTokens`` is on.
///
/// In order, refusing at the first failure (docs/SECURITY.md): length; format; header `alg` is one AfterSale
/// accepts and the very one its `kid`'s key is pinned to (so no `none`, no HS/RS confusion); the signature
/// (jwt-kit); the claims — `iss`, `aud` containing this service, subject, role; then, on every use, the times
/// with the leeway and the revocation list.
public struct TokenVerifier: Sendable {
    public let keys: TokenKeySet
    /// The `aud` value this service requires (``AccessToken/audience(for:)`` of its name).
    public let audience: String
    public let options: TokenVerifierOptions
    public let clock: ServiceClock

    /// Longer input is refused before any decoding: a real token is about 300 bytes (an RS256 one about 550).
    public static let maxTokenLength = 2048
    public static let acceptedAlgorithms: Set<String> = [TokenSigner.algorithm, TokenPublicKeys.rs256, TokenPublicKeys.es256]

    /// The algorithm each key id is pinned to.
    private let pinned: [String: String]
    /// jwt-kit's key collection is an actor filled asynchronously; built once, on first need.
    private let collection: Task<JWTKeyCollection, Never>
    /// Tokens already verified, by their text: a caller presents the same token on every call until it refreshes it,
    /// and the signature and claims of a token never change. Times and revocation are still checked on every use.
    private let verified = VerifiedTokens()
    private let legacyNotice: LegacyTokenNotice

    /// - Parameter service: this service's short name (`gateway`, `order`): tokens must name `aftersale:<service>`
    ///   in `aud`.
    public init(keys: TokenKeySet, service: String, options: TokenVerifierOptions = .init(), clock: ServiceClock = .system,
                logger: Logger = Logger(label: "aftersale.auth")) {
        self.keys = keys
        self.audience = AccessToken.audience(for: service)
        self.options = options
        self.clock = clock
        legacyNotice = LegacyTokenNotice(logger: logger)
        var pinned: [String: String] = [:]
        // A JWKS kid that repeats a shared key's id is refused by the settings; here the shared key wins.
        for key in options.publicKeys?.keys ?? [] { pinned[key.id] = key.algorithm }
        for key in keys.keys { pinned[key.id] = TokenSigner.algorithm }
        self.pinned = pinned
        let hmacKeys = keys.keys, publicKeys = options.publicKeys?.keys ?? []
        collection = Task {
            let collection = JWTKeyCollection()
            for key in publicKeys where pinned[key.id] == key.algorithm {
                switch key.material {
                case .rsa(let rsa): await collection.add(rsa: rsa, digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.id))
                case .ecdsa(let ecdsa): await collection.add(ecdsa: ecdsa, kid: JWKIdentifier(string: key.id))
                }
            }
            for key in hmacKeys {
                await collection.add(hmac: HMACKey(key: key.secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.id))
            }
            return collection
        }
    }

    /// How many tokens had their signature checked (the expensive part); a remembered token adds nothing.
    public var signatureVerifications: Int { verified.verifications }

    /// Verifies the value of an `authorization` metadata entry (`Bearer <token>`).
    public func verify(authorization: String?) async throws(TokenError) -> AccessToken {
        guard let authorization, !authorization.isEmpty else { throw .missing }
        let scheme = "bearer "
        guard authorization.count > scheme.count, authorization.prefix(scheme.count).lowercased() == scheme else {
            throw .malformed("authorization must be 'Bearer <token>'")
        }
        return try await verify(String(authorization.dropFirst(scheme.count)).trimmingCharacters(in: .whitespaces))
    }

    public func verify(_ token: String) async throws(TokenError) -> AccessToken {
        if let known = verified.token(token) {
            try checkUse(known)
            return known
        }
        guard token.utf8.count <= Self.maxTokenLength else { throw .tooLong(token.utf8.count) }
        let accessToken: AccessToken
        if LegacyToken.isLegacy(token) {
            guard options.acceptLegacyTokens else { throw .legacyRefused }
            accessToken = try LegacyToken.verify(token, keys: keys)
            verified.countVerification()
        } else {
            accessToken = try await verifyJWT(token)
        }
        try checkUse(accessToken)
        verified.remember(token, accessToken)
        return accessToken
    }

    private func verifyJWT(_ token: String) async throws(TokenError) -> AccessToken {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("expected a JWT, <header>.<payload>.<signature>") }
        guard let headerBytes = Base64URL.decode(parts[0]),
              let header = try? JSONDecoder().decode(JWTHeader.self, from: headerBytes) else {
            throw .malformed("the header is not base64url JSON")
        }
        guard let alg = header.alg else { throw .malformed("the header has no 'alg'") }
        guard Self.acceptedAlgorithms.contains(alg) else { throw .algorithmNotAllowed(alg: String(alg.prefix(16)), keyID: nil) }
        guard let keyID = header.kid else { throw .malformed("the header has no 'kid'") }
        guard let pinnedAlgorithm = pinned[keyID] else {
            throw TokenKeySet.isValidKeyID(keyID) ? .unknownKey(keyID) : .malformed("bad key id")
        }
        guard alg == pinnedAlgorithm else { throw .algorithmNotAllowed(alg: alg, keyID: keyID) }
        guard header.crit == nil else { throw .malformed("critical header extensions are not supported") }
        let claims: AccessTokenClaims
        do {
            claims = try await collection.value.verify(token, as: AccessTokenClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .badSignature
        } catch let error as JWTError {
            throw .malformed(error.reason.map { String($0.prefix(120)) } ?? "\(error.errorType)")
        } catch {
            throw .malformed("\(error)".prefix(120).description)
        }
        verified.countVerification()
        return try claims.accessToken(keyID: keyID, audience: audience)
    }

    /// What can change while a token is remembered: the clock and the revocation list.
    private func checkUse(_ token: AccessToken) throws(TokenError) {
        let now = clock.now().timeIntervalSince1970
        let (seconds, attoseconds) = options.leeway.components
        let slack = Double(seconds) + Double(attoseconds) / 1e18
        if now >= token.expiresAt.timeIntervalSince1970 + slack { throw .expired(token.expiresAt) }
        if now < token.issuedAt.timeIntervalSince1970 - slack { throw .notYetValid(token.issuedAt) }
        if let notBefore = token.notBefore, now < notBefore.timeIntervalSince1970 - slack { throw .notYetValid(notBefore) }
        try options.revocations?.check(token)
        if token.isLegacy { legacyNotice.accepted(token) }
    }
}

/// The verified tokens of a ``TokenVerifier``, at most ``capacity`` (then it starts over), and how many
/// signatures it has checked.
private final class VerifiedTokens: Sendable {
    static let capacity = 4096
    private let tokens = Mutex<[String: AccessToken]>([:])
    private let count = Atomic<Int>(0)

    func token(_ text: String) -> AccessToken? { tokens.withLock { $0[text] } }

    func remember(_ text: String, _ token: AccessToken) {
        tokens.withLock { tokens in
            if tokens.count >= Self.capacity { tokens.removeAll(keepingCapacity: true) }
            tokens[text] = token
        }
    }

    func countVerification() { count.add(1, ordering: .relaxed) }
    var verifications: Int { count.load(ordering: .relaxed) }
}

/// The deprecation warning for accepted `ast1` tokens: the first at once, then at most one a minute with how many
/// were accepted since, so a busy caller does not flood the log.
private final class LegacyTokenNotice: Sendable {
    static let interval: Duration = .seconds(60)
    private let logger: Logger
    private let state = Mutex<(loggedAt: ContinuousClock.Instant?, accepted: Int)>((nil, 0))

    init(logger: Logger) { self.logger = logger }

    func accepted(_ token: AccessToken) {
        let now = ContinuousClock.now
        let count: Int? = state.withLock { state in
            state.accepted += 1
            if let loggedAt = state.loggedAt, now - loggedAt < Self.interval { return nil }
            defer { state = (now, 0) }
            return state.accepted
        }
        guard let count else { return }
        logger.warning("accepted deprecated ast1 token(s); mint JWTs with `aftersale token` — --accept-legacy-tokens is removed in the next release",
                       metadata: ["count": "\(count)", "subject": "\(token.role.rawValue):\(token.subject)"])
    }
}
