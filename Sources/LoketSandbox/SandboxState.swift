import Crypto
import Foundation
import Synchronization

/// The simulator's mutable world: login codes, tokens, run statuses, counters. One lock.
final class SandboxState: Sendable {
    struct AuthorizationCode {
        let clientId: String
        let redirectURI: String
        let codeChallenge: String?
        let user: String
        let expiresAt: Date
        var used: Bool
    }
    struct AccessToken {
        let user: String
        let expiresAt: Date
    }
    struct PendingLogin {
        let parameters: AuthorizeParameters
        let user: String
        let expiresAt: Date
    }
    struct Counters: Sendable {
        var apiRequests = 0
        var tokenRequests = 0
        var refreshes = 0
        var faultsInjected = 0
        /// API requests being answered now, and the most there ever were at once.
        var inFlight = 0
        var maxInFlight = 0
        var patches: [(id: String, action: String, message: String?)] = []
    }
    struct World {
        var employers: [SimEmployer]
        var codes: [String: AuthorizationCode] = [:]
        var accessTokens: [String: AccessToken] = [:]
        var refreshTokens: [String: String] = [:]
        var pendingLogins: [String: PendingLogin] = [:]
        var counters = Counters()
        var random: SeededGenerator
        /// Set by a test after its set-up: the lifetime of tokens issued from then on.
        var tokenLifetimeOverride: Int?
        /// Set by a test: the document downloads (report, run overviews) answer 503.
        var documentsDown = false
    }

    private let world: Mutex<World>
    let now: @Sendable () -> Date

    init(employers: [SimEmployer], seed: UInt64, now: @escaping @Sendable () -> Date) {
        self.world = Mutex(World(employers: employers, random: SeededGenerator(state: seed)))
        self.now = now
    }

    func withWorld<T>(_ body: (inout World) throws -> T) rethrows -> T {
        try self.world.withLock { try body(&$0) }
    }

    static func randomToken(_ bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(raw).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// base64url(SHA256(verifier)) — PKCE S256 as the simulator checks it.
    static func s256(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The six digits the demo authenticator shows now (HMAC-SHA1 over the 30-second window, RFC 6238).
    func totpCode(at date: Date? = nil) -> String {
        let counter = UInt64((date ?? self.now()).timeIntervalSince1970 / 30)
        var bigEndian = counter.bigEndian
        let message = Data(bytes: &bigEndian, count: 8)
        let key = SymmetricKey(data: Data("loonjournaal-demo-2fa".utf8))
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let value = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        return String(format: "%06d", value % 1_000_000)
    }

    var counters: Counters { self.world.withLock { $0.counters } }
}

/// The parameters of `GET /authorize`, carried through the login pages.
struct AuthorizeParameters: Sendable {
    var clientId: String
    var redirectURI: String
    var state: String?
    var codeChallenge: String?
    var codeChallengeMethod: String?
    var scope: String?
}
