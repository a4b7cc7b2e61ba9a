import Foundation
import GRDB
import Ledger

/// The one door to the SQLite database: opens it durably, migrates it, and offers reads and
/// intent-named writes. Every write is one transaction.
public struct AppDatabase: Sendable {
    let writer: any DatabaseWriter

    /// Wraps an open database and brings its schema up to date.
    init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Migrations.migrator.migrate(writer)
    }

    /// The connection settings every connection gets: foreign keys on, wait for locks.
    static func makeConfiguration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(5)
        config.label = "loonjournaal"
        return config
    }

    /// Opens (or creates) the database file in WAL mode with `synchronous=FULL` on the writer,
    /// files 0600. When an existing database is about to be migrated, a backup copy is written
    /// to `backupDirectory` first.
    public static func openLive(at url: URL, backupDirectory: URL, now: Date = Date()) throws -> AppDatabase {
        let existed = FileManager.default.fileExists(atPath: url.path)
        let pool = try DatabasePool(path: url.path, configuration: self.makeConfiguration())
        // GRDB sets synchronous=NORMAL on the writer when the pool opens; every commit must
        // reach the disk, so set FULL afterwards (it is per connection; only the writer writes).
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        if existed {
            let migrator = Migrations.migrator
            let upToDate = try pool.read { try migrator.hasCompletedMigrations($0) }
            if !upToDate {
                try self.backUp(pool, to: backupDirectory, now: now)
            }
        }
        let database = try AppDatabase(pool)
        self.restrictPermissions(of: url)
        return database
    }

    static func backUp(_ pool: DatabasePool, to directory: URL, now: Date) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let stamp = ISO8601DateFormatter.string(from: now, timeZone: .gmt, formatOptions: [.withFullDate, .withTime])
        let target = directory.appending(path: "loonjournaal-\(stamp)-voor-migratie.sqlite")
        let copy = try DatabaseQueue(path: target.path)
        try pool.backup(to: copy)
        try copy.close()
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: target.path)
    }

    /// Makes the database and its WAL and shared-memory files readable by this user only.
    static func restrictPermissions(of url: URL) {
        for suffix in ["", "-wal", "-shm"] {
            let path = url.path + suffix
            if FileManager.default.fileExists(atPath: path) {
                try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            }
        }
    }

    /// Read access for use cases and tests.
    public var reader: any DatabaseReader { self.writer }
}

/// Refusals from the database, in terms the pages can explain.
public enum StorageError: Error, Equatable, Sendable {
    case duplicateAdministrationCode(String)
    case duplicateAccountNumber(String)
    case administrationNotFound
    case accountNotFound
    /// Accounts in an import that already exist, with the import line (if known) and number.
    case existingAccountNumbers([ExistingAccount])
    case connectionNotFound
    case payrollAdministrationNotFound
    case linkNotFound
    /// This Loket payroll administration is linked already (to the administration with this code).
    case payrollAdministrationAlreadyLinked(administrationCode: String)
    /// This local administration is linked already to another Loket payroll administration.
    case administrationAlreadyLinked(administrationCode: String)

    public struct ExistingAccount: Equatable, Sendable {
        public let line: Int?
        public let number: String
    }
}

// MARK: - Administrations

extension AppDatabase {
    /// Creates an administration; a code that exists already is refused.
    /// An async read that holds its pooled connection only while the closure runs. GRDB's
    /// `async read` keeps the reader until the awaiting task resumes; when every cooperative
    /// thread is blocked in a synchronous read (pages read synchronously), readers held that way
    /// are never given back and the process stops (seen: fifty imports at once on 2 cores).
    func readWithoutHolding<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            self.writer.asyncRead { result in
                continuation.resume(with: Result { try body(result.get()) })
            }
        }
    }

    public func createAdministration(_ details: AdministrationDetails, at now: Date) throws -> AdministrationRecord {
        try self.writer.write { db in
            if try AdministrationRecord.filter(AdministrationRecord.Columns.code == details.code).fetchCount(db) > 0 {
                throw StorageError.duplicateAdministrationCode(details.code)
            }
            var record = AdministrationRecord(
                id: nil,
                code: details.code,
                name: details.name,
                fiscalYear: details.fiscalYear,
                chamberOfCommerceNumber: details.chamberOfCommerceNumber,
                vatNumber: details.vatNumber,
                rsin: details.rsin,
                street: details.street,
                postalCode: details.postalCode,
                city: details.city,
                country: details.country,
                createdAt: now,
                updatedAt: now
            )
            try record.insert(db)
            var audit = AuditEntry(
                administrationId: record.id,
                occurredAt: now,
                subject: "administratie",
                action: "aangemaakt",
                details: "\(record.code) \(record.name)"
            )
            try audit.insert(db)
            return record
        }
    }

    /// Changes name, code, fiscal year or company data of an administration.
    public func updateAdministration(id: AdministrationID, _ details: AdministrationDetails, at now: Date) throws -> AdministrationRecord {
        try self.writer.write { db in
            guard var record = try AdministrationRecord.fetchOne(db, key: id) else { throw StorageError.administrationNotFound }
            let clash = try AdministrationRecord
                .filter(AdministrationRecord.Columns.code == details.code && AdministrationRecord.Columns.id != id)
                .fetchCount(db)
            if clash > 0 { throw StorageError.duplicateAdministrationCode(details.code) }
            var changes: [String] = []
            func note<T: Equatable>(_ label: String, _ old: T, _ new: T) {
                if old != new { changes.append("\(label): \(String(describing: old)) → \(String(describing: new))") }
            }
            note("code", record.code, details.code)
            note("naam", record.name, details.name)
            note("boekjaar", record.fiscalYear, details.fiscalYear)
            note("KvK", record.chamberOfCommerceNumber ?? "", details.chamberOfCommerceNumber ?? "")
            note("btw", record.vatNumber ?? "", details.vatNumber ?? "")
            note("RSIN", record.rsin ?? "", details.rsin ?? "")
            note("adres", record.street ?? "", details.street ?? "")
            note("postcode", record.postalCode ?? "", details.postalCode ?? "")
            note("plaats", record.city ?? "", details.city ?? "")
            note("land", record.country, details.country)
            guard !changes.isEmpty else { return record }
            record.code = details.code
            record.name = details.name
            record.fiscalYear = details.fiscalYear
            record.chamberOfCommerceNumber = details.chamberOfCommerceNumber
            record.vatNumber = details.vatNumber
            record.rsin = details.rsin
            record.street = details.street
            record.postalCode = details.postalCode
            record.city = details.city
            record.country = details.country
            record.updatedAt = now
            try record.update(db)
            var audit = AuditEntry(
                administrationId: id,
                occurredAt: now,
                subject: "administratie",
                action: "gewijzigd",
                details: changes.joined(separator: "; ")
            )
            try audit.insert(db)
            return record
        }
    }

    public func administration(id: AdministrationID) throws -> AdministrationRecord? {
        try self.writer.read { try AdministrationRecord.fetchOne($0, key: id) }
    }

    /// All administrations by code, with their account counts.
    public func administrationSummaries() throws -> [AdministrationSummary] {
        try self.writer.read { db in
            try AdministrationSummary.fetchAll(
                db,
                sql: """
                    SELECT a.id, a.code, a.name, a.fiscal_year,
                           COUNT(l.id) AS account_count,
                           COALESCE(SUM(l.is_active), 0) AS active_account_count,
                           (SELECT COUNT(*) FROM journal_entries e WHERE e.administration_id = a.id AND e.status = 'draft') AS draft_count
                    FROM administrations a
                    LEFT JOIN ledger_accounts l ON l.administration_id = a.id
                    GROUP BY a.id
                    ORDER BY a.code COLLATE NOCASE
                    """
            )
        }
    }

    /// One page of administrations by code, optionally only those whose code or name contains
    /// `search`, with their counts; and how many match in all.
    public func administrationSummaries(search: String, limit: Int, offset: Int) throws -> (rows: [AdministrationSummary], total: Int) {
        let pattern = "%" + search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        let filter = search.isEmpty ? "" : "WHERE a.code LIKE ? ESCAPE '\\' OR a.name LIKE ? ESCAPE '\\'"
        let filterArguments: StatementArguments = search.isEmpty ? [] : [pattern, pattern]
        return try self.writer.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM administrations a \(filter)", arguments: filterArguments) ?? 0
            let rows = try AdministrationSummary.fetchAll(
                db,
                sql: """
                    SELECT a.id, a.code, a.name, a.fiscal_year,
                           (SELECT COUNT(*) FROM ledger_accounts l WHERE l.administration_id = a.id) AS account_count,
                           (SELECT COALESCE(SUM(l.is_active), 0) FROM ledger_accounts l WHERE l.administration_id = a.id) AS active_account_count,
                           (SELECT COUNT(*) FROM journal_entries e WHERE e.administration_id = a.id AND e.status = 'draft') AS draft_count
                    FROM administrations a
                    \(filter)
                    ORDER BY a.code COLLATE NOCASE
                    LIMIT ? OFFSET ?
                    """,
                arguments: filterArguments + [limit, offset]
            )
            return (rows, total)
        }
    }

    /// The newest audit lines of one administration.
    public func auditEntries(administrationId: AdministrationID, limit: Int = 50) throws -> [AuditEntry] {
        try self.writer.read { db in
            try AuditEntry.filter(Column("administration_id") == administrationId)
                .order(Column("id").desc)
                .limit(limit)
                .fetchAll(db)
        }
    }
}

// MARK: - Chart of accounts

extension AppDatabase {
    public func accounts(administrationId: AdministrationID) throws -> [LedgerAccountRecord] {
        try self.writer.read { db in
            try LedgerAccountRecord.filter(LedgerAccountRecord.Columns.administrationId == administrationId)
                .order(LedgerAccountRecord.Columns.number)
                .fetchAll(db)
        }
    }

    public func account(id: Int64, administrationId: AdministrationID) throws -> LedgerAccountRecord? {
        try self.writer.read { db in
            try LedgerAccountRecord.filter(
                LedgerAccountRecord.Columns.id == id && LedgerAccountRecord.Columns.administrationId == administrationId
            ).fetchOne(db)
        }
    }

    /// Adds one account; a number that exists already in this administration is refused.
    public func addAccount(administrationId: AdministrationID, _ account: ChartAccount, at now: Date) throws -> LedgerAccountRecord {
        try self.writer.write { db in
            try self.requireAdministration(administrationId, db)
            if try self.existingNumbers([account.number], administrationId: administrationId, db).isEmpty == false {
                throw StorageError.duplicateAccountNumber(account.number)
            }
            let record = try self.insertAccount(account, administrationId: administrationId, at: now, db)
            try self.audit(administrationId, "rekening", "toegevoegd", "\(record.number) \(record.name) (\(record.type))", now, db)
            try self.resolveDraftAccounts(administrationId, now, db)
            return record
        }
    }

    /// Changes an account's number, name, type or RGS code.
    public func updateAccount(id: Int64, administrationId: AdministrationID, _ account: ChartAccount, at now: Date) throws -> LedgerAccountRecord {
        try self.writer.write { db in
            guard
                var record = try LedgerAccountRecord.filter(
                    LedgerAccountRecord.Columns.id == id && LedgerAccountRecord.Columns.administrationId == administrationId
                ).fetchOne(db)
            else { throw StorageError.accountNotFound }
            if account.number != record.number {
                let clash = try LedgerAccountRecord.filter(
                    LedgerAccountRecord.Columns.administrationId == administrationId
                        && LedgerAccountRecord.Columns.number == account.number
                ).fetchCount(db)
                if clash > 0 { throw StorageError.duplicateAccountNumber(account.number) }
            }
            var changes: [String] = []
            if record.number != account.number { changes.append("nummer: \(record.number) → \(account.number)") }
            if record.name != account.name { changes.append("naam: \(record.name) → \(account.name)") }
            if record.type != account.type.rawValue { changes.append("soort: \(record.type) → \(account.type.rawValue)") }
            if record.rgsCode != account.rgsCode { changes.append("RGS: \(record.rgsCode ?? "–") → \(account.rgsCode ?? "–")") }
            guard !changes.isEmpty else { return record }
            record.number = account.number
            record.name = account.name
            record.type = account.type.rawValue
            record.rgsCode = account.rgsCode
            record.updatedAt = now
            try record.update(db)
            try self.audit(administrationId, "rekening \(record.number)", "gewijzigd", changes.joined(separator: "; "), now, db)
            try self.resolveDraftAccounts(administrationId, now, db)
            return record
        }
    }

    /// Deactivates (or reactivates) an account. Accounts are never deleted.
    public func setAccountActive(id: Int64, administrationId: AdministrationID, active: Bool, at now: Date) throws -> LedgerAccountRecord {
        try self.writer.write { db in
            guard
                var record = try LedgerAccountRecord.filter(
                    LedgerAccountRecord.Columns.id == id && LedgerAccountRecord.Columns.administrationId == administrationId
                ).fetchOne(db)
            else { throw StorageError.accountNotFound }
            guard record.isActive != active else { return record }
            record.isActive = active
            record.updatedAt = now
            try record.update(db)
            try self.audit(administrationId, "rekening \(record.number)", active ? "geactiveerd" : "gedeactiveerd", record.name, now, db)
            try self.resolveDraftAccounts(administrationId, now, db)
            return record
        }
    }

    /// Imports a whole chart: all accounts or none. Numbers that exist already are refused
    /// with their import lines.
    public func importAccounts(administrationId: AdministrationID, _ accounts: [ChartAccount], lines: [Int]? = nil, source: String, at now: Date) throws -> Int {
        try self.writer.write { db in
            try self.requireAdministration(administrationId, db)
            let existing = try self.existingNumbers(accounts.map(\.number), administrationId: administrationId, db)
            if !existing.isEmpty {
                let clashes = accounts.enumerated().filter { existing.contains($0.element.number) }.map {
                    StorageError.ExistingAccount(line: lines?[$0.offset], number: $0.element.number)
                }
                throw StorageError.existingAccountNumbers(clashes)
            }
            for account in accounts {
                _ = try self.insertAccount(account, administrationId: administrationId, at: now, db)
            }
            try self.audit(administrationId, "rekeningschema", "geïmporteerd", "\(accounts.count) rekeningen uit \(source)", now, db)
            try self.resolveDraftAccounts(administrationId, now, db)
            return accounts.count
        }
    }

    /// Adds the starter chart's accounts that the administration does not have yet; returns how many.
    public func addStarterChart(administrationId: AdministrationID, at now: Date) throws -> Int {
        try self.applyChart(StarterChart.accounts, to: [administrationId], source: "het standaardschema", at: now)[administrationId] ?? 0
    }

    /// Adds a chart's accounts to each administration that lacks their numbers (accounts it has
    /// already stay as they are), and re-checks the drafts of each. All administrations or none:
    /// one transaction. Returns how many accounts each administration received.
    public func applyChart(_ accounts: [ChartAccount], to administrations: [AdministrationID], source: String, at now: Date) throws -> [AdministrationID: Int] {
        try self.writer.write { db in
            var added: [AdministrationID: Int] = [:]
            for administrationId in administrations {
                try self.requireAdministration(administrationId, db)
                let existing = try self.existingNumbers(accounts.map(\.number), administrationId: administrationId, db)
                var seen = existing
                let missing = accounts.filter { seen.insert($0.number).inserted }
                for account in missing {
                    _ = try self.insertAccount(account, administrationId: administrationId, at: now, db)
                }
                if !missing.isEmpty {
                    try self.audit(administrationId, "rekeningschema", "schema toegepast", "\(missing.count) rekeningen toegevoegd uit \(source)", now, db)
                }
                try self.resolveDraftAccounts(administrationId, now, db)
                added[administrationId] = missing.count
            }
            return added
        }
    }

    private func requireAdministration(_ id: AdministrationID, _ db: Database) throws {
        guard try AdministrationRecord.exists(db, key: id) else { throw StorageError.administrationNotFound }
    }

    private func existingNumbers(_ numbers: [String], administrationId: AdministrationID, _ db: Database) throws -> Set<String> {
        let all = try String.fetchSet(
            db,
            sql: "SELECT number FROM ledger_accounts WHERE administration_id = ?",
            arguments: [administrationId]
        )
        return all.intersection(numbers)
    }

    func insertAccount(_ account: ChartAccount, administrationId: AdministrationID, at now: Date, _ db: Database) throws -> LedgerAccountRecord {
        var record = LedgerAccountRecord(
            id: nil,
            administrationId: administrationId,
            number: account.number,
            name: account.name,
            type: account.type.rawValue,
            rgsCode: account.rgsCode,
            isActive: true,
            createdAt: now,
            updatedAt: now
        )
        try record.insert(db)
        return record
    }

    private func audit(_ administrationId: AdministrationID?, _ subject: String, _ action: String, _ details: String, _ now: Date, _ db: Database) throws {
        var entry = AuditEntry(administrationId: administrationId, occurredAt: now, subject: subject, action: action, details: details)
        try entry.insert(db)
    }
}
