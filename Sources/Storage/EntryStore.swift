import Foundation
import GRDB
import Ledger

/// Why an entry write was refused.
public enum EntryError: Error, Equatable, Sendable {
    case notFound
    case booked
    /// Someone saved this draft in the meantime (another tab); nothing was saved.
    case versionConflict(current: Int)
    case bookingRefused([BookingProblem])
    case alreadyReversed(by: EntryID)
    case notBooked
    /// Re-import is only possible when every earlier entry of the run is reversed.
    case reimportNotAllowed
    /// Too many lines or an amount out of range (see `JournalLimits`); nothing was stored.
    case beyondLimits(String)
}

extension AppDatabase {
    // MARK: - Reads

    public func entry(id: EntryID, administrationId: AdministrationID) throws -> JournalEntryRecord? {
        try self.writer.read { db in
            try JournalEntryRecord.filter(Column("id") == id && Column("administration_id") == administrationId).fetchOne(db)
        }
    }

    public func entryLines(entryId: EntryID) throws -> [EntryLineRow] {
        try self.writer.read { try self.lines(entryId, $0) }
    }

    func lines(_ entryId: EntryID, _ db: Database) throws -> [EntryLineRow] {
        try EntryLineRow.fetchAll(
            db,
            sql: """
                SELECT l.id, l.position, l.account_id, a.number AS account_number, a.name AS account_name, a.is_active AS account_active,
                       l.description, l.cost_center, l.cost_unit, l.debit_cents, l.credit_cents,
                       l.original_account_code, l.original_account_description, l.original_cost_center, l.original_cost_unit,
                       l.original_component, l.original_debit_cents, l.original_credit_cents
                FROM journal_lines l LEFT JOIN ledger_accounts a ON a.id = l.account_id
                WHERE l.entry_id = ? ORDER BY l.position, l.id
                """,
            arguments: [entryId]
        )
    }

    /// Entries of an administration imported from Loket, by journal-run id (newest import last).
    public func entriesByJournalRun(administrationId: AdministrationID) throws -> [String: [JournalEntryRecord]] {
        try self.writer.read { db in
            let entries = try JournalEntryRecord
                .filter(Column("administration_id") == administrationId && Column("source") == "loket")
                .order(Column("source_sequence"))
                .fetchAll(db)
            return Dictionary(grouping: entries.filter { $0.sourceReference != nil }, by: { $0.sourceReference! })
        }
    }

    public func entries(administrationId: AdministrationID) throws -> [JournalEntryRecord] {
        try self.writer.read { db in
            try JournalEntryRecord.filter(Column("administration_id") == administrationId)
                .order(Column("entry_date").desc, Column("id").desc).fetchAll(db)
        }
    }

    /// The reversal of an entry, if it was reversed.
    public func reversal(of entryId: EntryID) throws -> JournalEntryRecord? {
        try self.writer.read { try JournalEntryRecord.filter(Column("reverses_entry_id") == entryId).fetchOne($0) }
    }

    public func history(entryId: EntryID) throws -> [EntryHistoryRow] {
        try self.writer.read { db in
            try EntryHistoryRow.fetchAll(
                db, sql: "SELECT occurred_at, field, old_value, new_value FROM entry_history WHERE entry_id = ? ORDER BY id DESC",
                arguments: [entryId]
            )
        }
    }

    public func writebacks(entryId: EntryID) throws -> [WritebackRow] {
        try self.writer.read { db in
            try WritebackRow.fetchAll(
                db, sql: "SELECT succeeded, message, attempted_at FROM loket_writebacks WHERE entry_id = ? ORDER BY id DESC", arguments: [entryId]
            )
        }
    }

    public func closedPeriods(administrationId: AdministrationID, year: Int) throws -> Set<Int> {
        try self.writer.read { try self.closedPeriods(administrationId, year, $0) }
    }

    func closedPeriods(_ administrationId: AdministrationID, _ year: Int, _ db: Database) throws -> Set<Int> {
        try Int.fetchSet(db, sql: "SELECT period FROM closed_periods WHERE administration_id = ? AND fiscal_year = ?", arguments: [administrationId, year])
    }

    public func settings(administrationId: AdministrationID) throws -> AdministrationSettings {
        try self.writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT period_rule, mark_processed_in_loket FROM administration_settings WHERE administration_id = ?", arguments: [administrationId]) else {
                return AdministrationSettings()
            }
            return AdministrationSettings(periodRule: FinancialPeriodRule(rawValue: row["period_rule"]) ?? .calendarMonth, markProcessedInLoket: row["mark_processed_in_loket"])
        }
    }

    public func saveSettings(administrationId: AdministrationID, _ settings: AdministrationSettings, at now: Date) throws {
        try self.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO administration_settings (administration_id, period_rule, mark_processed_in_loket) VALUES (?, ?, ?)
                    ON CONFLICT(administration_id) DO UPDATE SET period_rule = excluded.period_rule, mark_processed_in_loket = excluded.mark_processed_in_loket
                    """,
                arguments: [administrationId, settings.periodRule.rawValue, settings.markProcessedInLoket]
            )
            try self.auditEntry(administrationId, "instellingen", "gewijzigd", "periode: \(settings.periodRule.label); Loket bijwerken: \(settings.markProcessedInLoket ? "ja" : "nee")", now, db)
        }
    }

    /// The accounts imports and re-checks find Loket's accounts in (see `AccountLookup`).
    public func accountLookup(administrationId: AdministrationID) throws -> AccountLookup {
        try self.writer.read { try AccountLookup.read(administrationId, $0) }
    }

    /// Gives every draft line of the administration whose account is still unknown the account
    /// the lookup finds now, and says so in each draft's history. Run inside every change of
    /// the chart or the mappings, so a draft never keeps a flag that no longer holds.
    /// Returns the drafts that changed.
    @discardableResult
    func resolveDraftAccounts(_ administrationId: AdministrationID, _ now: Date, _ db: Database) throws -> Set<EntryID> {
        let open = try Row.fetchAll(
            db,
            sql: """
                SELECT l.id, l.entry_id, l.original_account_code, l.original_account_description
                FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
                WHERE e.administration_id = ? AND e.status = 'draft' AND l.account_id IS NULL AND l.original_account_code IS NOT NULL
                """,
            arguments: [administrationId]
        )
        guard !open.isEmpty else { return [] }
        let lookup = try AccountLookup.read(administrationId, db)
        var changed: [EntryID: Set<String>] = [:]
        for row in open {
            let code: String = row["original_account_code"]
            guard let account = lookup.account(code: code, description: row["original_account_description"]) else { continue }
            try db.execute(sql: "UPDATE journal_lines SET account_id = ? WHERE id = ?", arguments: [account, row["id"] as Int64])
            changed[row["entry_id"], default: []].insert(code)
        }
        for (entryId, codes) in changed {
            try db.execute(sql: "UPDATE journal_entries SET version = version + 1 WHERE id = ?", arguments: [entryId])
            try self.recordHistory(entryId, administrationId, "rekeningkoppeling", "Loket \(codes.sorted().joined(separator: ", ")) (onbekend)", "rekening gevonden", now, db)
        }
        return Set(changed.keys)
    }

    public struct MappingRow: Equatable, Sendable, FetchableRecord, Decodable {
        public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
        public var loketCode: String
        public var accountId: Int64
        public var accountNumber: String
        public var accountName: String
    }

    public func mappings(administrationId: AdministrationID) throws -> [MappingRow] {
        try self.writer.read { db in
            try MappingRow.fetchAll(
                db,
                sql: """
                    SELECT m.loket_code, m.account_id, a.number AS account_number, a.name AS account_name
                    FROM account_mappings m JOIN ledger_accounts a ON a.id = m.account_id
                    WHERE m.administration_id = ? ORDER BY m.loket_code
                    """,
                arguments: [administrationId]
            )
        }
    }

    // MARK: - Import

    /// Stores an imported draft unless the run has an entry already (then returns that one).
    /// One transaction; the unique index is the last guard against doubles.
    public func insertImportedDraft(_ draft: NewDraft, at now: Date) throws -> (entryId: EntryID, created: Bool) {
        try self.writer.write { try self.insertImported(draft, now, $0) }
    }

    private func insertImported(_ draft: NewDraft, _ now: Date, _ db: Database) throws -> (entryId: EntryID, created: Bool) {
        if let reference = draft.sourceReference,
            let existing = try EntryID.fetchOne(
                db,
                sql: "SELECT id FROM journal_entries WHERE administration_id = ? AND source = ? AND source_reference = ? AND source_sequence = ?",
                arguments: [draft.administrationId, draft.source, reference, draft.sourceSequence]
            )
        {
            return (existing, false)
        }
        let id = try self.insertDraft(draft, at: now, db)
        try self.recordHistory(id, draft.administrationId, "boeking", "", "concept aangemaakt uit \(draft.source == .loket ? "Loket" : draft.source.rawValue)", now, db)
        return (id, true)
    }

    /// The same as `insertImportedDraft`, suspending instead of blocking the caller's thread
    /// while the write (and its fsync) waits: a bulk sync runs several imports at once on
    /// Swift's few cooperative threads.
    public func storeImportedDraft(_ draft: NewDraft, at now: Date) async throws -> (entryId: EntryID, created: Bool) {
        try await self.writer.write { try self.insertImported(draft, now, $0) }
    }

    /// What an import needs to know of one linked administration, read at once.
    public struct ImportContext: Sendable {
        public let link: LoketLinkRecord
        public let settings: AdministrationSettings
        /// Journal-run ids that have an entry already.
        public let importedRuns: Set<String>
        /// Where Loket's accounts are found (a remembered mapping, or the same number and name).
        public let accounts: AccountLookup
        /// From the cached company list (nil: not in it).
        public let hasJournalProfile: Bool?
    }

    /// One read for everything a bulk sync needs of an administration; nil when it is not linked.
    public func importContext(administrationId: AdministrationID) async throws -> ImportContext? {
        try await self.readWithoutHolding { db in
            guard let link = try LoketLinkRecord.filter(Column("administration_id") == administrationId).fetchOne(db) else { return nil }
            let settingsRow = try Row.fetchOne(
                db, sql: "SELECT period_rule, mark_processed_in_loket FROM administration_settings WHERE administration_id = ?", arguments: [administrationId]
            )
            let settings = settingsRow.map {
                AdministrationSettings(periodRule: FinancialPeriodRule(rawValue: $0["period_rule"]) ?? .calendarMonth, markProcessedInLoket: $0["mark_processed_in_loket"])
            } ?? AdministrationSettings()
            let imported = try String.fetchSet(
                db, sql: "SELECT source_reference FROM journal_entries WHERE administration_id = ? AND source = 'loket' AND source_reference IS NOT NULL",
                arguments: [administrationId]
            )
            let accounts = try AccountLookup.read(administrationId, db)
            let profile = try Bool.fetchOne(
                db, sql: "SELECT has_journal_profile FROM loket_payroll_administrations WHERE connection_id = ? AND payroll_administration_id = ?",
                arguments: [link.connectionId, link.payrollAdministrationId]
            )
            return ImportContext(link: link, settings: settings, importedRuns: imported, accounts: accounts, hasJournalProfile: profile)
        }
    }

    /// The import generation a new import of this run gets: 1, or one more than the last when
    /// every earlier entry of the run has been reversed.
    public func nextImportSequence(administrationId: AdministrationID, source: EntrySource, reference: String) throws -> Int {
        try self.writer.read { db in
            let entries = try JournalEntryRecord
                .filter(Column("administration_id") == administrationId && Column("source") == source && Column("source_reference") == reference)
                .fetchAll(db)
            guard let last = entries.map(\.sourceSequence).max() else { return 1 }
            for entry in entries {
                let reversed = try JournalEntryRecord.filter(Column("reverses_entry_id") == entry.id).fetchCount(db) > 0
                if !entry.isBooked || !reversed { throw EntryError.reimportNotAllowed }
            }
            return last + 1
        }
    }

    func insertDraft(_ draft: NewDraft, at now: Date, _ db: Database) throws -> EntryID {
        // The one door every import (Loket page, bulk sync, `sync`, payroll file) goes through.
        if let problem = JournalLimits.problem(amounts: draft.lines.map { ($0.debit.cents, $0.credit.cents) }) {
            throw EntryError.beyondLimits(problem)
        }
        var entry = JournalEntryRecord(
            id: nil, administrationId: draft.administrationId, status: .draft, source: draft.source, sourceReference: draft.sourceReference,
            sourceSequence: draft.sourceSequence, description: TextRules.cleaned(draft.description, max: 200), entryDate: draft.entryDate.iso,
            fiscalYear: draft.entryDate.year, period: draft.period, number: nil, isDifference: draft.isDifference, payrollYear: draft.payrollYear,
            payrollPeriod: draft.payrollPeriod, loketRunSequence: draft.loketRunSequence, loketPayrollRunId: draft.loketPayrollRunId,
            loketDebitCents: try Money.sum(draft.lines.compactMap(\.original).map(\.debit)).cents,
            loketCreditCents: try Money.sum(draft.lines.compactMap(\.original).map(\.credit)).cents,
            reversesEntryId: nil, version: 1, bookedAt: nil, createdAt: now, updatedAt: now
        )
        if draft.source != .loket && draft.source != .file {
            entry.loketDebitCents = nil
            entry.loketCreditCents = nil
        }
        try entry.insert(db)
        for (index, line) in draft.lines.enumerated() {
            try self.insertLine(line, entryId: entry.id!, position: index + 1, db)
        }
        return entry.id!
    }

    func insertLine(_ line: NewLine, entryId: EntryID, position: Int, _ db: Database) throws {
        // Cached: an import writes hundreds of lines, each with the same statement.
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO journal_lines (entry_id, position, account_id, description, cost_center, cost_unit, debit_cents, credit_cents,
                  original_account_code, original_account_description, original_cost_center, original_cost_unit, original_component,
                  original_debit_cents, original_credit_cents)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        // Text from outside (Loket, files) is kept without the characters XML does not allow.
        let clean = { (text: String?) in text.map { TextRules.cleaned($0, max: 1000) } }
        try statement.execute(
            arguments: [
                entryId, position, line.accountId, TextRules.cleaned(line.description, max: 200), clean(line.costCenter), clean(line.costUnit),
                line.debit.cents, line.credit.cents, clean(line.original?.accountCode), clean(line.original?.accountDescription),
                clean(line.original?.costCenter), clean(line.original?.costUnit), clean(line.original?.component),
                line.original?.debit.cents, line.original?.credit.cents,
            ]
        )
    }

    // MARK: - Editing drafts

    public struct DraftHeader: Equatable, Sendable {
        public var description: String
        public var entryDate: CalendarDate
        public var period: Int

        public init(description: String, entryDate: CalendarDate, period: Int) {
            self.description = description
            self.entryDate = entryDate
            self.period = period
        }
    }

    /// Saves a draft: header and all lines, in one transaction, only when nobody saved it since
    /// `expectedVersion`. Every change is written to the entry's history. Returns the new version.
    public func saveDraft(
        entryId: EntryID, administrationId: AdministrationID, expectedVersion: Int, header: DraftHeader, lines: [DraftLineInput], at now: Date
    ) throws -> Int {
        try self.writer.write { db in
            guard var entry = try JournalEntryRecord.filter(Column("id") == entryId && Column("administration_id") == administrationId).fetchOne(db) else {
                throw EntryError.notFound
            }
            guard !entry.isBooked else { throw EntryError.booked }
            guard entry.version == expectedVersion else { throw EntryError.versionConflict(current: entry.version) }
            if let problem = JournalLimits.problem(amounts: lines.map { ($0.debit.cents, $0.credit.cents) }) {
                throw EntryError.beyondLimits(problem)
            }
            let old = try self.lines(entryId, db)
            func record(_ field: String, _ before: String, _ after: String) throws {
                if before != after { try self.recordHistory(entryId, administrationId, field, before, after, now, db) }
            }
            try record("omschrijving", entry.description, header.description)
            try record("boekdatum", (entry.date?.dutch ?? entry.entryDate), header.entryDate.dutch)
            try record("periode", String(entry.period), String(header.period))
            let accountNames = Dictionary(
                try Row.fetchAll(db, sql: "SELECT id, number FROM ledger_accounts WHERE administration_id = ?", arguments: [administrationId])
                    .map { (row: Row) -> (Int64, String) in (row["id"], row["number"]) },
                uniquingKeysWith: { first, _ in first }
            )
            let oldById = Dictionary(old.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let keptIds = Set(lines.compactMap(\.lineId))
            for removed in old where !keptIds.contains(removed.id) {
                try record("regel \(removed.position)", Self.describe(removed.accountNumber, removed.debitCents, removed.creditCents), "verwijderd")
            }
            var originals: [Int64: EntryLineRow] = [:]
            for (index, line) in lines.enumerated() {
                let position = index + 1
                if let id = line.lineId, let before = oldById[id] {
                    originals[id] = before
                    let label = "regel \(position)"
                    try record("\(label) rekening", before.accountNumber ?? "(geen)", line.accountId.flatMap { accountNames[$0] } ?? "(geen)")
                    try record("\(label) omschrijving", before.description, line.description)
                    try record("\(label) kostenplaats", before.costCenter ?? "", line.costCenter ?? "")
                    try record("\(label) kostendrager", before.costUnit ?? "", line.costUnit ?? "")
                    try record("\(label) debet", Money(cents: before.debitCents).dutch, line.debit.dutch)
                    try record("\(label) credit", Money(cents: before.creditCents).dutch, line.credit.dutch)
                } else {
                    try record("regel \(position)", "", "toegevoegd: " + Self.describe(line.accountId.flatMap { accountNames[$0] }, line.debit.cents, line.credit.cents))
                }
            }
            // Lines keep their identity: update in place, insert the new ones, delete the removed ones.
            for removed in old where !keptIds.contains(removed.id) {
                try db.execute(sql: "DELETE FROM journal_lines WHERE id = ? AND entry_id = ?", arguments: [removed.id, entryId])
            }
            for (index, line) in lines.enumerated() {
                if let id = line.lineId, originals[id] != nil {
                    try db.execute(
                        sql: """
                            UPDATE journal_lines SET position = ?, account_id = ?, description = ?, cost_center = ?, cost_unit = ?,
                              debit_cents = ?, credit_cents = ? WHERE id = ? AND entry_id = ?
                            """,
                        arguments: [index + 1, line.accountId, line.description, line.costCenter, line.costUnit, line.debit.cents, line.credit.cents, id, entryId]
                    )
                } else {
                    try self.insertLine(
                        NewLine(accountId: line.accountId, description: line.description, costCenter: line.costCenter, costUnit: line.costUnit, debit: line.debit, credit: line.credit, original: nil),
                        entryId: entryId, position: index + 1, db
                    )
                }
            }
            entry.description = header.description
            entry.entryDate = header.entryDate.iso
            entry.fiscalYear = header.entryDate.year
            entry.period = header.period
            entry.version += 1
            entry.updatedAt = now
            try entry.update(db)
            return entry.version
        }
    }

    static func describe(_ account: String?, _ debit: Int64, _ credit: Int64) -> String {
        "\(account ?? "(geen rekening)") " + (debit > 0 ? "debet \(Money(cents: debit).dutch)" : "credit \(Money(cents: credit).dutch)")
    }

    /// Deletes a draft (never a booked entry); the history keeps a line about it.
    public func deleteDraft(entryId: EntryID, administrationId: AdministrationID, at now: Date) throws {
        try self.writer.write { db in
            guard let entry = try JournalEntryRecord.filter(Column("id") == entryId && Column("administration_id") == administrationId).fetchOne(db) else {
                throw EntryError.notFound
            }
            guard !entry.isBooked else { throw EntryError.booked }
            try self.recordHistory(entryId, administrationId, "boeking", "concept", "verwijderd", now, db)
            try self.auditEntry(administrationId, "concept \(entryId)", "verwijderd", entry.description, now, db)
            try JournalEntryRecord.deleteOne(db, key: entryId)
        }
    }

    /// Remembers that a Loket code means this local account, and applies it to the drafts.
    public func mapLoketCode(administrationId: AdministrationID, code: String, accountId: Int64, at now: Date) throws -> Int {
        try self.writer.write { db in
            guard try LedgerAccountRecord.filter(Column("id") == accountId && Column("administration_id") == administrationId).fetchCount(db) == 1 else {
                throw StorageError.accountNotFound
            }
            try db.execute(
                sql: """
                    INSERT INTO account_mappings (administration_id, loket_code, account_id, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(administration_id, loket_code) DO UPDATE SET account_id = excluded.account_id
                    """,
                arguments: [administrationId, code, accountId, now]
            )
            try self.auditEntry(administrationId, "rekeningkoppeling", "vastgelegd", "Loket \(code) → rekening \(accountId)", now, db)
            return try self.applyMapping(administrationId, code, accountId, now, db)
        }
    }

    /// Creates an account from a Loket code and description (nothing is created silently: the user asks).
    /// One transaction: the account, the mapping Loket code → account (so a name that differs
    /// from Loket's still matches, now and in later imports) and the re-checked drafts.
    public func createAccountFromLoket(administrationId: AdministrationID, code: String, name: String, type: AccountType, at now: Date) throws -> LedgerAccountRecord {
        try self.writer.write { db in
            guard try AdministrationRecord.filter(key: administrationId).fetchCount(db) == 1 else { throw StorageError.administrationNotFound }
            if try LedgerAccountRecord.filter(Column("administration_id") == administrationId && Column("number") == code).fetchCount(db) > 0 {
                throw StorageError.duplicateAccountNumber(code)
            }
            let record = try self.insertAccount(ChartAccount(number: code, name: name, type: type), administrationId: administrationId, at: now, db)
            try self.auditEntry(administrationId, "rekening", "toegevoegd", "\(record.number) \(record.name) (\(record.type)) voor Loket \(code)", now, db)
            try self.rememberMapping(administrationId, code, record.id!, now, db)
            try self.resolveDraftAccounts(administrationId, now, db)
            return record
        }
    }

    private func applyMapping(_ administrationId: AdministrationID, _ code: String, _ accountId: Int64, _ now: Date, _ db: Database) throws -> Int {
        try self.resolveDraftAccounts(administrationId, now, db).count
    }

    // MARK: - Booking and reversal

    /// Books a draft when the ledger rules find no problem: next number per administration and
    /// year, immutable from then on. All problems are reported at once.
    /// A recalculation whose original run is still a draft is refused unless
    /// `beforeOriginal` says the user chose so.
    public func book(entryId: EntryID, administrationId: AdministrationID, beforeOriginal: Bool = false, at now: Date) throws -> JournalEntryRecord {
        try self.writer.write { db in
            guard var entry = try JournalEntryRecord.filter(Column("id") == entryId && Column("administration_id") == administrationId).fetchOne(db) else {
                throw EntryError.notFound
            }
            let lines = try self.lines(entryId, db).map(\.entryLine)
            let rule = try self.periodRule(administrationId, db)
            let problems = JournalRules.bookingProblems(
                lines: lines, isBooked: entry.isBooked, year: entry.fiscalYear, period: entry.period,
                closedPeriods: try self.closedPeriods(administrationId, entry.fiscalYear, db),
                date: entry.date, rule: rule
            ) + (beforeOriginal ? [] : try self.unbookedOriginal(of: entry, db).map { [.originalNotBooked(original: $0)] } ?? [])
            guard problems.isEmpty else { throw EntryError.bookingRefused(problems) }
            if let problem = try self.administrationLimitProblem(administrationId, adding: lines, db) {
                throw EntryError.bookingRefused([.beyondLimits(problem)])
            }
            let highest = try Int.fetchOne(
                db, sql: "SELECT MAX(number) FROM journal_entries WHERE administration_id = ? AND fiscal_year = ?", arguments: [administrationId, entry.fiscalYear]
            )
            entry.number = JournalRules.nextNumber(after: highest)
            entry.status = .booked
            entry.bookedAt = now
            entry.updatedAt = now
            entry.version += 1
            try entry.update(db)
            try self.recordHistory(entryId, administrationId, "boeking", "concept", "geboekt als \(entry.fiscalYear)-\(entry.number!)", now, db)
            return entry
        }
    }

    /// Reverses a booked entry: a new booked entry with every line mirrored, linked to it.
    /// Reverses a booked entry in its own period, or — when that period is closed — in the
    /// period and on the date given (`into`), checked like any booking.
    public func reverse(entryId: EntryID, administrationId: AdministrationID, into target: (period: Int, date: CalendarDate)? = nil, at now: Date) throws -> JournalEntryRecord {
        try self.writer.write { db in
            guard let original = try JournalEntryRecord.filter(Column("id") == entryId && Column("administration_id") == administrationId).fetchOne(db) else {
                throw EntryError.notFound
            }
            guard original.isBooked else { throw EntryError.notBooked }
            if let existing = try JournalEntryRecord.filter(Column("reverses_entry_id") == entryId).fetchOne(db) { throw EntryError.alreadyReversed(by: existing.id!) }
            let lines = try self.lines(entryId, db)
            guard let date = original.date else { throw EntryError.notFound }
            let closed = try self.closedPeriods(administrationId, original.fiscalYear, db)
            var (period, entryDate) = (original.period, date)
            if let target {
                let rule = try self.periodRule(administrationId, db)
                let problems = JournalRules.bookingProblems(
                    lines: JournalRules.reversed(lines.map(\.entryLine)), isBooked: false, year: original.fiscalYear, period: target.period,
                    closedPeriods: closed, date: target.date, rule: rule
                )
                guard problems.isEmpty else { throw EntryError.bookingRefused(problems) }
                (period, entryDate) = target
            } else if closed.contains(original.period) {
                throw EntryError.bookingRefused([.closedPeriod(year: original.fiscalYear, period: original.period)])
            }
            if let problem = try self.administrationLimitProblem(administrationId, adding: lines.map(\.entryLine), db) {
                throw EntryError.bookingRefused([.beyondLimits(problem)])
            }
            var reversal = JournalEntryRecord(
                id: nil, administrationId: administrationId, status: .draft, source: .reversal, sourceReference: nil, sourceSequence: 1,
                description: TextRules.cleaned("Terugboeking van \(original.fiscalYear)-\(original.number ?? 0): \(original.description)", max: 200),
                entryDate: entryDate.iso, fiscalYear: original.fiscalYear, period: period, number: nil, isDifference: original.isDifference,
                payrollYear: original.payrollYear, payrollPeriod: original.payrollPeriod, loketRunSequence: original.loketRunSequence,
                loketPayrollRunId: original.loketPayrollRunId, loketDebitCents: nil, loketCreditCents: nil, reversesEntryId: entryId,
                version: 1, bookedAt: nil, createdAt: now, updatedAt: now
            )
            try reversal.insert(db)
            for line in lines {
                try self.insertLine(
                    NewLine(accountId: line.accountId, description: line.description, costCenter: line.costCenter, costUnit: line.costUnit,
                            debit: Money(cents: line.creditCents), credit: Money(cents: line.debitCents), original: nil),
                    entryId: reversal.id!, position: line.position, db
                )
            }
            let highest = try Int.fetchOne(
                db, sql: "SELECT MAX(number) FROM journal_entries WHERE administration_id = ? AND fiscal_year = ?", arguments: [administrationId, original.fiscalYear]
            )
            reversal.number = JournalRules.nextNumber(after: highest)
            reversal.status = .booked
            reversal.bookedAt = now
            try reversal.update(db)
            try self.recordHistory(entryId, administrationId, "boeking", "geboekt", "teruggeboekt door \(original.fiscalYear)-\(reversal.number!)", now, db)
            try self.recordHistory(reversal.id!, administrationId, "boeking", "", "terugboeking van \(original.fiscalYear)-\(original.number ?? 0)", now, db)
            return reversal
        }
    }

    /// Which financial period an entry date falls in for this administration (the default: its month).
    func periodRule(_ administrationId: AdministrationID, _ db: Database) throws -> FinancialPeriodRule {
        try String.fetchOne(db, sql: "SELECT period_rule FROM administration_settings WHERE administration_id = ?", arguments: [administrationId])
            .flatMap(FinancialPeriodRule.init(rawValue:)) ?? .calendarMonth
    }

    /// The description of the original run's draft when `entry` is a recalculation of a payroll
    /// period whose original is not booked yet.
    func unbookedOriginal(of entry: JournalEntryRecord, _ db: Database) throws -> String? {
        guard entry.isDifference, entry.source == .loket, let year = entry.payrollYear, let period = entry.payrollPeriod else { return nil }
        return try String.fetchOne(
            db,
            sql: """
                SELECT description FROM journal_entries
                WHERE administration_id = ? AND source = 'loket' AND payroll_year = ? AND payroll_period = ? AND is_difference = 0
                  AND status = 'draft' AND id != ?
                ORDER BY loket_run_sequence LIMIT 1
                """,
            arguments: [entry.administrationId, year, period, entry.id]
        )
    }

    /// Why booking these lines would take the administration's booked totals beyond
    /// `JournalLimits.administrationTotalCents` (per side, all years), or nil.
    func administrationLimitProblem(_ administrationId: AdministrationID, adding lines: [EntryLine], _ db: Database) throws -> String? {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT COALESCE(SUM(l.debit_cents), 0) AS debit, COALESCE(SUM(l.credit_cents), 0) AS credit
                FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
                WHERE e.administration_id = ? AND e.status = 'booked'
                """,
            arguments: [administrationId]
        )
        let booked = (debit: row?["debit"] as Int64? ?? 0, credit: row?["credit"] as Int64? ?? 0)
        let limit = JournalLimits.administrationTotalCents
        guard let balance = try? Balance(lines: lines),
            let debit = try? Money(cents: booked.debit) + balance.debit, let credit = try? Money(cents: booked.credit) + balance.credit,
            debit.cents <= limit, credit.cents <= limit
        else {
            return "Deze boeking past niet meer in de administratie: alle boekingen samen gaan tot \(Money(cents: limit).euro) per kant "
                + "(nu geboekt: debet \(Money(cents: booked.debit).euro), credit \(Money(cents: booked.credit).euro)). Er is niets geboekt."
        }
        return nil
    }

    public func recordWriteback(entryId: EntryID, journalRunId: String, succeeded: Bool, message: String, at now: Date) throws {
        try self.writer.write { db in
            try db.execute(
                sql: "INSERT INTO loket_writebacks (entry_id, journal_run_id, succeeded, message, attempted_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [entryId, journalRunId, succeeded, message, now]
            )
        }
    }

    func recordHistory(_ entryId: EntryID, _ administrationId: AdministrationID, _ field: String, _ old: String, _ new: String, _ now: Date, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO entry_history (entry_id, administration_id, occurred_at, field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [entryId, administrationId, now, field, old, new]
        )
    }
}

// MARK: - Payroll files

extension AppDatabase {
    /// The column roles remembered for files with this header signature.
    public func columnRoles(administrationId: AdministrationID, signature: String) throws -> [String]? {
        try self.writer.read { db in
            try String.fetchOne(db, sql: "SELECT roles FROM file_column_mappings WHERE administration_id = ? AND signature = ?", arguments: [administrationId, signature])
                .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        }
    }

    public func rememberColumnRoles(administrationId: AdministrationID, signature: String, roles: [String], at now: Date) throws {
        try self.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO file_column_mappings (administration_id, signature, roles, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(administration_id, signature) DO UPDATE SET roles = excluded.roles, updated_at = excluded.updated_at
                    """,
                arguments: [administrationId, signature, roles.joined(separator: ","), now]
            )
        }
    }

    /// The entry made from a file with this reference, if any (duplicate protection).
    public func entry(administrationId: AdministrationID, source: EntrySource, reference: String) throws -> JournalEntryRecord? {
        try self.writer.read { db in
            try JournalEntryRecord.filter(Column("administration_id") == administrationId && Column("source") == source && Column("source_reference") == reference).fetchOne(db)
        }
    }
}

/// Loket account → local account: the one rule for imports and for re-checking drafts. A
/// remembered mapping (the user's own decision) first; else the account with the same number,
/// when its name agrees with Loket's (`AccountMatching.namesAgree`). A number whose names differ
/// is not matched silently: it waits on the unknown-accounts page for the user to confirm.
public struct AccountLookup: Sendable {
    public struct Account: Sendable, Equatable {
        public let id: Int64
        public let number: String
        public let name: String
        public let isActive: Bool
    }

    public let mappings: [String: Int64]
    public let byNumber: [String: Account]

    public init(mappings: [String: Int64], accounts: [Account]) {
        self.mappings = mappings
        self.byNumber = Dictionary(accounts.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func account(code: String, description: String?) -> Int64? {
        if let mapped = self.mappings[code] { return mapped }
        if let account = self.byNumber[code], AccountMatching.namesAgree(description, account.name) { return account.id }
        return nil
    }

    static func read(_ administrationId: AdministrationID, _ db: Database) throws -> AccountLookup {
        var mappings: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT loket_code, account_id FROM account_mappings WHERE administration_id = ?", arguments: [administrationId]) {
            mappings[row["loket_code"]] = row["account_id"]
        }
        let accounts = try Row.fetchAll(db, sql: "SELECT id, number, name, is_active FROM ledger_accounts WHERE administration_id = ?", arguments: [administrationId]).map {
            Account(id: $0["id"], number: $0["number"], name: $0["name"], isActive: $0["is_active"])
        }
        return AccountLookup(mappings: mappings, accounts: accounts)
    }
}
