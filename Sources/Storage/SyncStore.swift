import Foundation
import GRDB

/// What one administration got out of a bulk sync (stored with the sync).
public struct SyncResultRow: Codable, Sendable, Equatable, FetchableRecord {
    public var administrationId: AdministrationID
    public var code: String
    public var name: String
    public var imported: Int
    public var alreadyPresent: Int
    public var waiting: Int
    public var booked: Int
    public var notBooked: Int
    public var cancelled: Bool
    public var error: String?
    public var note: String?

    public init(
        administrationId: AdministrationID, code: String, name: String, imported: Int = 0, alreadyPresent: Int = 0, waiting: Int = 0,
        booked: Int = 0, notBooked: Int = 0, cancelled: Bool = false, error: String? = nil, note: String? = nil
    ) {
        self.administrationId = administrationId
        self.code = code
        self.name = name
        self.imported = imported
        self.alreadyPresent = alreadyPresent
        self.waiting = waiting
        self.booked = booked
        self.notBooked = notBooked
        self.cancelled = cancelled
        self.error = error
        self.note = note
    }
}

/// Who started a bulk sync; stored as text (`web`, `cli`).
public enum SyncOrigin: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// "Alles bijwerken" on the dashboard.
    case web
    /// `loonjournaal sync`.
    case cli
}

/// How a bulk sync ended; stored as text. A sync without one (NULL) was cut off.
public enum SyncOutcome: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case completed
    case failures
    case cancelled
}

/// One bulk sync as recorded.
public struct SyncRunRow: Codable, Sendable, Equatable, FetchableRecord {
    public var id: Int64
    public var origin: SyncOrigin
    public var startedAt: Date
    public var finishedAt: Date?
    public var outcome: SyncOutcome?
    public var concurrency: Int
    public var administrations: Int
    public var runsImported: Int
    public var failed: Int
}

/// An administration a bulk sync works on: linked to a Loket payroll administration.
public struct SyncTarget: Sendable, Equatable, FetchableRecord, Decodable {
    public var administrationId: AdministrationID
    public var code: String
    public var name: String
    public var connectionId: ConnectionID
    public var payrollAdministrationId: String

    public init(administrationId: AdministrationID, code: String, name: String, connectionId: ConnectionID, payrollAdministrationId: String) {
        self.administrationId = administrationId
        self.code = code
        self.name = name
        self.connectionId = connectionId
        self.payrollAdministrationId = payrollAdministrationId
    }
}

public enum SyncStoreError: Error, Equatable {
    case concurrencyOutOfRange
}

extension AppDatabase {
    public static let syncConcurrencyRange = 1...16

    /// How many administrations a bulk sync works on at the same time.
    public func syncConcurrency() throws -> Int {
        try self.writer.read { db in try Int.fetchOne(db, sql: "SELECT sync_concurrency FROM app_settings WHERE id = 1") ?? 4 }
    }

    public func setSyncConcurrency(_ value: Int, at now: Date) throws {
        guard Self.syncConcurrencyRange.contains(value) else { throw SyncStoreError.concurrencyOutOfRange }
        try self.writer.write { db in
            let old = try Int.fetchOne(db, sql: "SELECT sync_concurrency FROM app_settings WHERE id = 1") ?? 4
            try db.execute(sql: "UPDATE app_settings SET sync_concurrency = ? WHERE id = 1", arguments: [value])
            if old != value {
                try self.auditEntry(nil, "instellingen", "gewijzigd", "gelijktijdige administraties bij bijwerken: \(old) → \(value)", now, db)
            }
        }
    }

    /// The linked administrations, by code; `codes` narrows them down (case-insensitive).
    public func syncTargets(codes: [String]? = nil) throws -> [SyncTarget] {
        try self.writer.read { db in
            let all = try SyncTarget.fetchAll(
                db,
                sql: """
                    SELECT a.id AS administrationId, a.code, a.name, l.connection_id AS connectionId,
                           l.payroll_administration_id AS payrollAdministrationId
                    FROM loket_links l JOIN administrations a ON a.id = l.administration_id
                    ORDER BY a.code COLLATE NOCASE
                    """
            )
            guard let codes else { return all }
            let wanted = Set(codes.map { $0.lowercased() })
            return all.filter { wanted.contains($0.code.lowercased()) }
        }
    }

    /// Records the start of a bulk sync; `finishSync` completes it.
    public func startSync(origin: SyncOrigin, concurrency: Int, administrations: Int, at now: Date) throws -> Int64 {
        try self.writer.write { db in
            try db.execute(
                sql: "INSERT INTO sync_runs (origin, started_at, concurrency, administrations) VALUES (?, ?, ?, ?)",
                arguments: [origin, now, concurrency, administrations]
            )
            return db.lastInsertedRowID
        }
    }

    /// Stores the outcome and every administration's result in one transaction.
    public func finishSync(id: Int64, results: [SyncResultRow], cancelled: Bool, at now: Date) throws {
        try self.writer.write { db in
            for result in results {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO sync_results
                            (sync_run_id, administration_id, imported, already_present, waiting, booked, not_booked, cancelled, error, note)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        id, result.administrationId, result.imported, result.alreadyPresent, result.waiting, result.booked, result.notBooked,
                        result.cancelled, result.error, result.note,
                    ]
                )
            }
            let failed = results.filter { $0.error != nil }.count
            let outcome: SyncOutcome = cancelled ? .cancelled : failed > 0 ? .failures : .completed
            try db.execute(
                sql: "UPDATE sync_runs SET finished_at = ?, outcome = ?, runs_imported = ?, failed = ? WHERE id = ?",
                arguments: [now, outcome, results.reduce(0) { $0 + $1.imported }, failed, id]
            )
        }
    }

    /// The most recent bulk syncs, newest first.
    public func recentSyncs(limit: Int = 10) throws -> [SyncRunRow] {
        try self.writer.read { db in
            try SyncRunRow.fetchAll(
                db,
                sql: """
                    SELECT id, origin, started_at AS startedAt, finished_at AS finishedAt, outcome, concurrency, administrations,
                           runs_imported AS runsImported, failed
                    FROM sync_runs ORDER BY id DESC LIMIT ?
                    """,
                arguments: [limit]
            )
        }
    }

    /// The stored results of one bulk sync, failures first.
    public func syncResults(syncRunId: Int64) throws -> [SyncResultRow] {
        try self.writer.read { db in
            try SyncResultRow.fetchAll(
                db,
                sql: """
                    SELECT r.administration_id AS administrationId, a.code, a.name, r.imported, r.already_present AS alreadyPresent,
                           r.waiting, r.booked, r.not_booked AS notBooked, r.cancelled, r.error, r.note
                    FROM sync_results r JOIN administrations a ON a.id = r.administration_id
                    WHERE r.sync_run_id = ?
                    ORDER BY r.error IS NULL, a.code COLLATE NOCASE
                    """,
                arguments: [syncRunId]
            )
        }
    }

    /// Entries without a single line (must never exist; checked after crashes).
    public func entriesWithoutLines() throws -> Int {
        try self.writer.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM journal_entries e WHERE NOT EXISTS (SELECT 1 FROM journal_lines l WHERE l.entry_id = e.id)"
            ) ?? 0
        }
    }
}
