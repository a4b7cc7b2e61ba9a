import Foundation
import Synchronization

/// Single-use, short-lived launch tokens: the link printed by `serve` (and the one handed to the
/// browser) is exchanged once for a session cookie.
public final class LaunchTokens: Sendable {
    private let issued = Mutex<[String: Date]>([:])
    private let lifetime: TimeInterval
    private let now: @Sendable () -> Date

    public init(lifetime: TimeInterval = 120, now: @escaping @Sendable () -> Date) {
        self.lifetime = lifetime
        self.now = now
    }

    /// Issues a fresh token (256 bits).
    public func issue() -> String {
        let token = SecureRandom.token()
        let expiry = self.now().addingTimeInterval(self.lifetime)
        self.issued.withLock { tokens in
            let current = self.now()
            tokens = tokens.filter { $0.value > current }
            tokens[token] = expiry
        }
        return token
    }

    /// Consumes a token: true once for a valid, unexpired token; false ever after.
    public func redeem(_ token: String) -> Bool {
        self.issued.withLock { tokens in
            guard let match = tokens.keys.first(where: { SecureRandom.constantTimeEquals($0, token) }) else { return false }
            let expiry = tokens.removeValue(forKey: match)!
            return expiry > self.now()
        }
    }
}
