import Foundation
import Synchronization

/// The browser session made from a launch token. Lives in memory: a restart of loonjournaal asks
/// for a new launch link.
public struct Session: Sendable, Equatable {
    public let id: String
    public let csrfToken: String
    public var lastSeen: Date
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

/// Sessions by cookie value. A session ends after `idleLifetime` without requests.
public final class SessionStore: Sendable {
    private let sessions = Mutex<[String: Session]>([:])
    private let idleLifetime: TimeInterval
    private let now: @Sendable () -> Date

    public init(idleLifetime: TimeInterval = 12 * 3600, now: @escaping @Sendable () -> Date) {
        self.idleLifetime = idleLifetime
        self.now = now
    }

    /// Starts a new session with fresh random id (256 bits) and CSRF token.
    public func create() -> Session {
        let session = Session(id: SecureRandom.token(), csrfToken: SecureRandom.token(), lastSeen: self.now())
        self.sessions.withLock { sessions in
            let cutoff = self.now().addingTimeInterval(-self.idleLifetime)
            sessions = sessions.filter { $0.value.lastSeen > cutoff }
            sessions[session.id] = session
        }
        return session
    }

    /// The live session for a cookie value, refreshed; nil when unknown or expired.
    public func session(for id: String) -> Session? {
        self.sessions.withLock { sessions in
            guard let key = sessions.keys.first(where: { SecureRandom.constantTimeEquals($0, id) }),
                var session = sessions[key]
            else { return nil }
            let current = self.now()
            if session.lastSeen.addingTimeInterval(self.idleLifetime) < current {
                sessions.removeValue(forKey: key)
                return nil
            }
            session.lastSeen = current
            sessions[key] = session
            return session
        }
    }

    public func addFlash(_ message: FlashMessage, to id: String) {
        self.sessions.withLock { $0[id]?.flash.append(message) }
    }

    /// Returns and forgets the pending flash messages.
    public func takeFlash(for id: String) -> [FlashMessage] {
        self.sessions.withLock { sessions in
            let messages = sessions[id]?.flash ?? []
            sessions[id]?.flash = []
            return messages
        }
    }
}
