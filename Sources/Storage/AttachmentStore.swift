import Foundation
import GRDB
import Ledger

/// What an attachment is; stored as text, the CHECK constraint's values.
public enum AttachmentKind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Loket's journal report of the run (PDF).
    case journalReport
    /// Loket's run overview per employment (CSV).
    case employeeOverview
    /// A file the user added.
    case userFile

    /// The kinds fetched from Loket with every imported run.
    public static let fromLoket: [AttachmentKind] = [.journalReport, .employeeOverview]

    public var label: String {
        switch self {
        case .journalReport: "Journaalrapport (Loket)"
        case .employeeOverview: "Verloningsoverzicht per werknemer (Loket)"
        case .userFile: "Eigen bijlage"
        }
    }
}

/// The media types an attachment may have; anything else is refused.
public enum AttachmentMediaType: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case pdf = "application/pdf"
    case csv = "text/csv"
    case png = "image/png"
    case jpeg = "image/jpeg"

    public var fileExtension: String {
        switch self {
        case .pdf: "pdf"
        case .csv: "csv"
        case .png: "png"
        case .jpeg: "jpg"
        }
    }
}

/// One attachment of an entry (without its bytes).
public struct AttachmentRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "entry_attachments"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var entryId: EntryID
    public var kind: AttachmentKind
    public var fileName: String
    public var mediaType: AttachmentMediaType
    public var sha256: String
    public var byteCount: Int
    public var addedAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        self.id = inserted.rowID
    }
}

/// A Loket document still to fetch for an entry, and how the last try went.
public struct PendingDownload: Equatable, Sendable, FetchableRecord, Decodable {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public var entryId: EntryID
    public var kind: AttachmentKind
    public var attempts: Int
    public var lastError: String?
    public var lastAttemptAt: Date?
}

/// A new attachment: bytes already checked by the caller (type, size, hash).
public struct NewAttachment: Sendable {
    public let kind: AttachmentKind
    public let fileName: String
    public let mediaType: AttachmentMediaType
    public let sha256: String
    public let bytes: [UInt8]

    public init(kind: AttachmentKind, fileName: String, mediaType: AttachmentMediaType, sha256: String, bytes: [UInt8]) {
        self.kind = kind
        self.fileName = fileName
        self.mediaType = mediaType
        self.sha256 = sha256
        self.bytes = bytes
    }
}

public enum AttachmentError: Error, Equatable, Sendable {
    case notFound
    /// The entry is booked: its evidence is fixed.
    case booked
}

extension AppDatabase {
    /// Largest attachment kept (20 MB), the database's CHECK too.
    public static let maxAttachmentBytes = 20 * 1024 * 1024

    // MARK: - Reads

    public func attachments(entryId: EntryID) throws -> [AttachmentRecord] {
        try self.writer.read { db in
            try AttachmentRecord.filter(Column("entry_id") == entryId).order(Column("kind") == AttachmentKind.userFile.rawValue, Column("id")).fetchAll(db)
        }
    }

    /// Attachments of many entries at once (exports), keyed by entry.
    public func attachments(administrationId: AdministrationID, fiscalYear: Int) throws -> [EntryID: [AttachmentRecord]] {
        try self.writer.read { db in
            let records = try AttachmentRecord.fetchAll(
                db,
                sql: """
                    SELECT a.* FROM entry_attachments a JOIN journal_entries e ON e.id = a.entry_id
                    WHERE e.administration_id = ? AND e.fiscal_year = ? AND e.status = 'booked' ORDER BY a.entry_id, a.id
                    """,
                arguments: [administrationId, fiscalYear]
            )
            return Dictionary(grouping: records, by: \.entryId)
        }
    }

    /// One attachment of an entry of this administration, with its bytes.
    public func attachment(id: Int64, entryId: EntryID, administrationId: AdministrationID) throws -> (record: AttachmentRecord, bytes: [UInt8])? {
        try self.writer.read { db in
            guard
                let record = try AttachmentRecord.fetchOne(
                    db,
                    sql: """
                        SELECT a.* FROM entry_attachments a JOIN journal_entries e ON e.id = a.entry_id
                        WHERE a.id = ? AND a.entry_id = ? AND e.administration_id = ?
                        """,
                    arguments: [id, entryId, administrationId]
                ),
                let data = try Data.fetchOne(db, sql: "SELECT content FROM attachment_contents WHERE sha256 = ?", arguments: [record.sha256])
            else { return nil }
            return (record, Array(data))
        }
    }

    /// The bytes of a content hash (exports).
    public func attachmentContent(sha256: String) throws -> [UInt8]? {
        try self.writer.read { db in
            try Data.fetchOne(db, sql: "SELECT content FROM attachment_contents WHERE sha256 = ?", arguments: [sha256]).map(Array.init)
        }
    }

    public func pendingDownloads(entryId: EntryID) throws -> [PendingDownload] {
        try self.writer.read { db in
            try PendingDownload.fetchAll(db, sql: "SELECT * FROM attachment_downloads WHERE entry_id = ? ORDER BY kind", arguments: [entryId])
        }
    }

    /// Loket entries of an administration (or all) with documents still to fetch.
    public func entriesWithPendingDownloads(administrationId: AdministrationID? = nil, limit: Int = 500) throws -> [JournalEntryRecord] {
        try self.writer.read { db in
            var sql = "SELECT e.* FROM journal_entries e WHERE e.id IN (SELECT entry_id FROM attachment_downloads)"
            var arguments: StatementArguments = []
            if let administrationId {
                sql += " AND e.administration_id = ?"
                arguments += [administrationId]
            }
            sql += " ORDER BY e.id LIMIT ?"
            arguments += [max(1, min(limit, 10_000))]
            return try JournalEntryRecord.fetchAll(db, sql: sql, arguments: arguments)
        }
    }

    // MARK: - Writes

    /// Marks Loket's documents of an entry as to be fetched (kept when already marked or fetched).
    public func expectLoketDocuments(entryId: EntryID) throws {
        try self.writer.write { db in
            for kind in AttachmentKind.fromLoket {
                let have = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM entry_attachments WHERE entry_id = ? AND kind = ?)", arguments: [entryId, kind]) ?? false
                if !have {
                    try db.execute(sql: "INSERT OR IGNORE INTO attachment_downloads (entry_id, kind) VALUES (?, ?)", arguments: [entryId, kind])
                }
            }
        }
    }

    /// Stores a fetched Loket document and clears its pending mark, in one transaction.
    public func storeLoketDocument(entryId: EntryID, _ attachment: NewAttachment, at now: Date) throws {
        try self.writer.write { db in
            try self.insertAttachment(entryId: entryId, attachment, now, db)
            try db.execute(sql: "DELETE FROM attachment_downloads WHERE entry_id = ? AND kind = ?", arguments: [entryId, attachment.kind])
        }
    }

    /// Records a failed fetch: it stays pending and is tried again later.
    public func recordFailedDownload(entryId: EntryID, kind: AttachmentKind, error: String, at now: Date) throws {
        try self.writer.write { db in
            try db.execute(
                sql: "UPDATE attachment_downloads SET attempts = min(attempts + 1, 1000000), last_error = ?, last_attempt_at = ? WHERE entry_id = ? AND kind = ?",
                arguments: [TextRules.cleaned(error, max: 1000), now, entryId, kind]
            )
        }
    }

    /// A user's own attachment on a draft of this administration; refused on a booked entry.
    @discardableResult
    public func addUserAttachment(entryId: EntryID, administrationId: AdministrationID, _ attachment: NewAttachment, at now: Date) throws -> AttachmentRecord {
        try self.writer.write { db in
            guard let entry = try JournalEntryRecord.filter(Column("id") == entryId && Column("administration_id") == administrationId).fetchOne(db) else {
                throw AttachmentError.notFound
            }
            guard !entry.isBooked else { throw AttachmentError.booked }
            let record = try self.insertAttachment(entryId: entryId, attachment, now, db)
            try self.recordHistory(entryId, administrationId, "bijlage", "", attachment.fileName, now, db)
            return record
        }
    }

    /// Removes a user's attachment from a draft; never one of a booked entry (also refused by the database).
    public func removeUserAttachment(id: Int64, entryId: EntryID, administrationId: AdministrationID, at now: Date) throws {
        try self.writer.write { db in
            guard let entry = try JournalEntryRecord.filter(Column("id") == entryId && Column("administration_id") == administrationId).fetchOne(db),
                let record = try AttachmentRecord.filter(Column("id") == id && Column("entry_id") == entryId).fetchOne(db), record.kind == .userFile
            else { throw AttachmentError.notFound }
            guard !entry.isBooked else { throw AttachmentError.booked }
            _ = try AttachmentRecord.deleteOne(db, key: id)
            try self.recordHistory(entryId, administrationId, "bijlage", record.fileName, "verwijderd", now, db)
        }
    }

    @discardableResult
    func insertAttachment(entryId: EntryID, _ attachment: NewAttachment, _ now: Date, _ db: Database) throws -> AttachmentRecord {
        try db.execute(
            sql: "INSERT OR IGNORE INTO attachment_contents (sha256, byte_count, content) VALUES (?, ?, ?)",
            arguments: [attachment.sha256, attachment.bytes.count, Data(attachment.bytes)]
        )
        var record = AttachmentRecord(
            id: nil, entryId: entryId, kind: attachment.kind, fileName: attachment.fileName, mediaType: attachment.mediaType, sha256: attachment.sha256,
            byteCount: attachment.bytes.count, addedAt: now
        )
        if attachment.kind != .userFile {
            // One of each Loket document per entry: a second fetch of the same one is a no-op.
            if let existing = try AttachmentRecord.filter(Column("entry_id") == entryId && Column("kind") == attachment.kind).fetchOne(db) { return existing }
        }
        try record.insert(db)
        return record
    }
}

extension AppDatabase {
    /// The booked numbers of these entries.
    public func entryNumbers(ids: [EntryID]) throws -> [EntryID: Int] {
        guard !ids.isEmpty else { return [:] }
        return try self.writer.read { db in
            var result: [EntryID: Int] = [:]
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                let part = ids[chunk..<min(chunk + 500, ids.count)]
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                for row in try Row.fetchAll(
                    db, sql: "SELECT id, number FROM journal_entries WHERE number IS NOT NULL AND id IN (\(marks))", arguments: StatementArguments(part.map(\.rawValue))
                ) {
                    result[EntryID(row["id"] as Int64)] = row["number"]
                }
            }
            return result
        }
    }
}
