import Foundation
import GRDB
import Ledger

/// One Loket account that drafts of an administration use and that has no account here yet.
public struct UnknownAccount: Equatable, Sendable {
    public let code: String
    /// Loket's name of the account (one of them, if the runs differ).
    public let description: String
    public let lines: Int
    public let drafts: Int
}

/// What the user decided for one unknown Loket account.
public enum UnknownAccountDecision: Equatable, Sendable {
    /// Book it on this existing account (remembered as a mapping).
    case map(code: String, accountId: Int64)
    /// Create this account and book it there (remembered as a mapping too).
    case create(code: String, ChartAccount)
}

extension AppDatabase {
    /// Every Loket account the drafts of the administration use without an account here, with
    /// how many lines and drafts wait for it; by code.
    public func unknownAccounts(administrationId: AdministrationID) throws -> [UnknownAccount] {
        try self.writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT l.original_account_code AS code, MAX(COALESCE(l.original_account_description, '')) AS description,
                           COUNT(*) AS lines, COUNT(DISTINCT l.entry_id) AS drafts
                    FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
                    WHERE e.administration_id = ? AND e.status = 'draft' AND l.account_id IS NULL AND l.original_account_code IS NOT NULL
                    GROUP BY l.original_account_code ORDER BY l.original_account_code
                    """,
                arguments: [administrationId]
            ).map { UnknownAccount(code: $0["code"], description: $0["description"], lines: $0["lines"], drafts: $0["drafts"]) }
        }
    }

    /// Applies every decision of the unknown-accounts page at once: new accounts are created,
    /// every decision is remembered as a mapping, and the drafts are re-checked. All or nothing.
    /// Returns how many drafts changed.
    public func resolveUnknownAccounts(administrationId: AdministrationID, _ decisions: [UnknownAccountDecision], at now: Date) throws -> Int {
        try self.writer.write { db in
            guard try AdministrationRecord.filter(key: administrationId).fetchCount(db) == 1 else { throw StorageError.administrationNotFound }
            for decision in decisions {
                let code: String
                let accountId: Int64
                switch decision {
                case .map(let mapped, let id):
                    guard try LedgerAccountRecord.filter(Column("id") == id && Column("administration_id") == administrationId).fetchCount(db) == 1 else {
                        throw StorageError.accountNotFound
                    }
                    (code, accountId) = (mapped, id)
                case .create(let mapped, let account):
                    let clash = try LedgerAccountRecord.filter(Column("administration_id") == administrationId && Column("number") == account.number).fetchCount(db)
                    if clash > 0 { throw StorageError.duplicateAccountNumber(account.number) }
                    let record = try self.insertAccount(account, administrationId: administrationId, at: now, db)
                    try self.auditEntry(administrationId, "rekening", "toegevoegd", "\(record.number) \(record.name) (\(record.type)) voor Loket \(mapped)", now, db)
                    (code, accountId) = (mapped, record.id!)
                }
                try self.rememberMapping(administrationId, code, accountId, now, db)
            }
            return try self.resolveDraftAccounts(administrationId, now, db).count
        }
    }

    /// Copies the remembered mappings of one administration to others, by account number: a
    /// mapping to account 4000 there becomes a mapping to this administration's 4000. Codes
    /// whose account number does not exist in a target, or that the target maps itself, are
    /// skipped and counted.
    public func copyMappings(from source: AdministrationID, to targets: [AdministrationID], at now: Date) throws -> [AdministrationID: (copied: Int, skipped: Int)] {
        try self.writer.write { db in
            let mappings = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.loket_code, a.number FROM account_mappings m JOIN ledger_accounts a ON a.id = m.account_id
                    WHERE m.administration_id = ? ORDER BY m.loket_code
                    """,
                arguments: [source]
            ).map { (code: $0["loket_code"] as String, number: $0["number"] as String) }
            var result: [AdministrationID: (copied: Int, skipped: Int)] = [:]
            for target in targets where target != source {
                guard try AdministrationRecord.filter(key: target).fetchCount(db) == 1 else { throw StorageError.administrationNotFound }
                var copied = 0, skipped = 0
                let own = try String.fetchSet(db, sql: "SELECT loket_code FROM account_mappings WHERE administration_id = ?", arguments: [target])
                for mapping in mappings {
                    // A choice the target made itself is never overwritten.
                    if own.contains(mapping.code) {
                        skipped += 1
                    } else if let account = try Int64.fetchOne(
                        db, sql: "SELECT id FROM ledger_accounts WHERE administration_id = ? AND number = ?", arguments: [target, mapping.number]
                    ) {
                        try self.rememberMapping(target, mapping.code, account, now, db)
                        copied += 1
                    } else {
                        skipped += 1
                    }
                }
                try self.resolveDraftAccounts(target, now, db)
                result[target] = (copied, skipped)
            }
            return result
        }
    }

    func rememberMapping(_ administrationId: AdministrationID, _ code: String, _ accountId: Int64, _ now: Date, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO account_mappings (administration_id, loket_code, account_id, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(administration_id, loket_code) DO UPDATE SET account_id = excluded.account_id
                """,
            arguments: [administrationId, code, accountId, now]
        )
        try self.auditEntry(administrationId, "rekeningkoppeling", "vastgelegd", "Loket \(code) → rekening \(accountId)", now, db)
    }
}

extension AppDatabase {
    /// How many distinct unknown Loket accounts each administration's drafts have (only those with any).
    public func unknownAccountCounts() throws -> [AdministrationID: Int] {
        try self.writer.read { db in
            var result: [AdministrationID: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT e.administration_id, COUNT(DISTINCT l.original_account_code) AS unknown
                    FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
                    WHERE e.status = 'draft' AND l.account_id IS NULL AND l.original_account_code IS NOT NULL
                    GROUP BY e.administration_id
                    """
            ) {
                result[row["administration_id"]] = row["unknown"]
            }
            return result
        }
    }
}
