import Foundation
import GRDB

/// A browser session as stored: only the hash of its cookie value.
public struct BrowserSessionRecord: Equatable, Sendable {
    public let createdAt: Date
    public let lastSeenAt: Date
    public let expiresAt: Date
    public let revokedAt: Date?
}

/// A draft form posted after its session had ended.
public struct RescuedForm: Equatable, Sendable {
    public let id: Int64
    public let path: String
    public let body: String
    public let savedAt: Date
}

extension AppDatabase {
    // MARK: - Browser sessions

    public func createBrowserSession(tokenHash: String, at now: Date, expiresAt: Date) throws {
        try self.writer.write { db in
            // Ended sessions are forgotten a day after they ended.
            try db.execute(
                sql: "DELETE FROM browser_sessions WHERE expires_at < ? OR revoked_at < ?",
                arguments: [now.addingTimeInterval(-86_400), now.addingTimeInterval(-86_400)]
            )
            try db.execute(
                sql: "INSERT INTO browser_sessions (token_hash, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [tokenHash, now, now, expiresAt]
            )
        }
    }

    public func browserSession(tokenHash: String) throws -> BrowserSessionRecord? {
        try self.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM browser_sessions WHERE token_hash = ?", arguments: [tokenHash]).map {
                BrowserSessionRecord(createdAt: $0["created_at"], lastSeenAt: $0["last_seen_at"], expiresAt: $0["expires_at"], revokedAt: $0["revoked_at"])
            }
        }
    }

    public func touchBrowserSession(tokenHash: String, at now: Date) throws {
        try self.writer.write { db in
            try db.execute(sql: "UPDATE browser_sessions SET last_seen_at = ? WHERE token_hash = ?", arguments: [now, tokenHash])
        }
    }

    public func revokeBrowserSession(tokenHash: String, at now: Date) throws {
        try self.writer.write { db in
            try db.execute(sql: "UPDATE browser_sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL", arguments: [now, tokenHash])
        }
    }

    // MARK: - Rescued form posts

    public func rescueForm(path: String, body: String, at now: Date) throws -> Int64 {
        try self.writer.write { db in
            // A day at most, the newest few per page and a hundred in all: kept typing, not a store.
            try db.execute(sql: "DELETE FROM rescued_forms WHERE saved_at < ?", arguments: [now.addingTimeInterval(-86_400)])
            try db.execute(
                sql: "DELETE FROM rescued_forms WHERE path = ? AND id NOT IN (SELECT id FROM rescued_forms WHERE path = ? ORDER BY id DESC LIMIT 4)",
                arguments: [path, path]
            )
            try db.execute(sql: "DELETE FROM rescued_forms WHERE id NOT IN (SELECT id FROM rescued_forms ORDER BY id DESC LIMIT 99)")
            try db.execute(sql: "INSERT INTO rescued_forms (path, body, saved_at) VALUES (?, ?, ?)", arguments: [String(path.prefix(200)), body, now])
            return db.lastInsertedRowID
        }
    }

    /// The rescued posts of one page of the last day, newest first.
    public func rescuedForms(path: String, since: Date) throws -> [RescuedForm] {
        try self.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM rescued_forms WHERE path = ? AND saved_at >= ? ORDER BY id DESC", arguments: [path, since]).map {
                RescuedForm(id: $0["id"], path: $0["path"], body: $0["body"], savedAt: $0["saved_at"])
            }
        }
    }

    /// Forgets the rescued posts of a page (after the page was saved, or on request).
    public func forgetRescuedForms(path: String) throws {
        try self.writer.write { db in try db.execute(sql: "DELETE FROM rescued_forms WHERE path = ?", arguments: [path]) }
    }
}
