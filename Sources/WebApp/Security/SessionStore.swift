import Crypto
import Foundation
import Storage
import Synchronization

/// The browser session made from a launch token. It survives closing the browser (a persistent
/// cookie) and restarting loonjournaal (kept in the database as the SHA-256 of the cookie value
/// only) for a working day, unless the user signs off.
public struct Session: Sendable, Equatable {
    public let id: String
    /// Derived from the session's secret (HMAC), so it is the same after a restart and never stored.
    public let csrfToken: String
    public var lastSeen: Date
    public let expiresAt: Date
    /// Messages shown once on the next page (after a redirect).
    public var flash: [FlashMessage] = []
}

/// A one-time notice for the next page.
public struct FlashMessage: Sendable, Equatable {
    public enum Kind: String, Sendable { case success, error, info }
    public let kind: Kind
    public let text: String

    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }
}

/// Sessions by cookie value: in memory for speed, in the database (hashed) to survive a restart.
/// A session ends `lifetime` after it began, or when revoked.
public final class SessionStore: Sendable {
    private let sessions = Mutex<[String: Session]>([:])
    /// When each session was last written to the database (a write at most once a minute).
    private let written = Mutex<[String: Date]>([:])
    public let lifetime: TimeInterval
    private let database: AppDatabase?
    private let now: @Sendable () -> Date

    /// A working day.
    public static let defaultLifetime: TimeInterval = 12 * 3600

    /// The last page shown (one user, one running app): a new launch link ("loonjournaal open"
    /// after closing the browser) brings the user back there.
    private let lastPageShown = Mutex<String?>(nil)

    public var lastPage: String? { self.lastPageShown.withLock { $0 } }

    func pageShown(_ pathAndQuery: String) {
        // Only our own paths: one leading slash, no scheme or host.
        guard pathAndQuery.hasPrefix("/"), !pathAndQuery.hasPrefix("//"), !pathAndQuery.contains("\\"), pathAndQuery.utf8.count <= 2000 else { return }
        self.lastPageShown.withLock { $0 = pathAndQuery }
    }

    public init(database: AppDatabase? = nil, lifetime: TimeInterval = SessionStore.defaultLifetime, now: @escaping @Sendable () -> Date) {
        self.database = database
        self.lifetime = lifetime
        self.now = now
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func csrfToken(for token: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("loonjournaal-csrf".utf8), using: SymmetricKey(data: Data(token.utf8)))
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Starts a new session with a fresh random secret (256 bits); stored hashed.
    public func create() throws -> Session {
        let token = SecureRandom.token()
        let current = self.now()
        let session = Session(id: token, csrfToken: Self.csrfToken(for: token), lastSeen: current, expiresAt: current.addingTimeInterval(self.lifetime))
        try self.database?.createBrowserSession(tokenHash: Self.hash(token), at: current, expiresAt: session.expiresAt)
        let key = Self.hash(token)
        self.sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.expiresAt > current }
            sessions[key] = session
        }
        self.written.withLock { $0[key] = current }
        return session
    }

    /// The live session for a cookie value; nil when unknown, expired or revoked.
    public func session(for token: String) -> Session? {
        guard !token.isEmpty, token.utf8.count <= 200 else { return nil }
        let key = Self.hash(token)
        let current = self.now()
        let cached = self.sessions.withLock { sessions -> Session? in
            guard var session = sessions[key] else { return nil }
            guard session.expiresAt > current else {
                sessions.removeValue(forKey: key)
                return nil
            }
            session.lastSeen = current
            sessions[key] = session
            return session
        }
        if let cached {
            self.remember(key, at: current)
            return cached
        }
        // Not in memory: a session from before a restart, if the database still knows it.
        guard let database, let record = try? database.browserSession(tokenHash: key), record.revokedAt == nil, record.expiresAt > current else {
            return nil
        }
        let session = Session(id: token, csrfToken: Self.csrfToken(for: token), lastSeen: current, expiresAt: record.expiresAt)
        self.sessions.withLock { $0[key] = session }
        self.remember(key, at: current)
        return session
    }

    private func remember(_ key: String, at current: Date) {
        guard let database else { return }
        let due = self.written.withLock { written -> Bool in
            if let last = written[key], current.timeIntervalSince(last) < 60 { return false }
            written[key] = current
            return true
        }
        if due { try? database.touchBrowserSession(tokenHash: key, at: current) }
    }

    /// Ends a session (Afmelden): at once, here and in the database.
    public func revoke(_ token: String) {
        let key = Self.hash(token)
        self.sessions.withLock { _ = $0.removeValue(forKey: key) }
        try? self.database?.revokeBrowserSession(tokenHash: key, at: self.now())
    }

    public func addFlash(_ message: FlashMessage, to token: String) {
        let key = Self.hash(token)
        self.sessions.withLock { $0[key]?.flash.append(message) }
    }

    /// Returns and forgets the pending flash messages.
    public func takeFlash(for token: String) -> [FlashMessage] {
        let key = Self.hash(token)
        return self.sessions.withLock { sessions in
            let messages = sessions[key]?.flash ?? []
            sessions[key]?.flash = []
            return messages
        }
    }
}
