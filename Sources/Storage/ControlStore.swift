import Foundation
import GRDB
import Ledger

/// A payroll tax return (loonaangifte) as stored from Loket.
public struct TaxReturnRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "loket_tax_returns"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var administrationId: AdministrationID
    public var loketId: String
    public var year: Int
    public var period: Int
    public var periodStart: String?
    public var periodEnd: String?
    public var statusKey: Int
    public var statusText: String?
    public var periodCents: Int64?
    public var correctionCents: Int64?
    public var totalCents: Int64?
    public var paymentReference: String?
    public var messageReference: String?
    public var iban: String?
    public var inTheNameOf: String?
    public var wageTaxNumber: String?
    /// `yyyy-mm-dd`
    public var deadline: String?
    public var correctionPriorYear: Bool
    public var fetchedAt: Date

    public init(
        administrationId: AdministrationID, loketId: String, year: Int, period: Int, periodStart: String?, periodEnd: String?, statusKey: Int,
        statusText: String?, periodCents: Int64?, correctionCents: Int64?, totalCents: Int64?, paymentReference: String?,
        messageReference: String?, iban: String?, inTheNameOf: String?, wageTaxNumber: String?, deadline: String?, correctionPriorYear: Bool,
        fetchedAt: Date
    ) {
        self.administrationId = administrationId
        self.loketId = loketId
        self.year = year
        self.period = period
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.statusKey = statusKey
        self.statusText = statusText
        self.periodCents = periodCents
        self.correctionCents = correctionCents
        self.totalCents = totalCents
        self.paymentReference = paymentReference
        self.messageReference = messageReference
        self.iban = iban
        self.inTheNameOf = inTheNameOf
        self.wageTaxNumber = wageTaxNumber
        self.deadline = deadline
        self.correctionPriorYear = correctionPriorYear
        self.fetchedAt = fetchedAt
    }
}

/// Which accounts carry the loonheffing of an administration.
public struct WageTaxSetting: Equatable, Sendable {
    public let accountIds: [Int64]
    /// false: `accountIds` is the proposal from the chart, not yet confirmed.
    public let confirmed: Bool
    public let roundingAccountId: Int64?

    public init(accountIds: [Int64], confirmed: Bool, roundingAccountId: Int64?) {
        self.accountIds = accountIds
        self.confirmed = confirmed
        self.roundingAccountId = roundingAccountId
    }
}

/// The loonheffing in the entries of one payroll period, per status.
public struct PeriodWageTax: Equatable, Sendable {
    /// Credit minus debit on the wage-tax accounts, booked entries.
    public var bookedCents: Int64 = 0
    /// The same in drafts.
    public var draftCents: Int64 = 0
    public var bookedEntries = 0
    public var draftEntries = 0
    /// Entries that came from a Loket journal run.
    public var loketEntries = 0

    public init() {}
    public var totalCents: Int64 { self.bookedCents &+ self.draftCents }
}

extension AppDatabase {
    /// SQL that tells whether account `a` of an entry of administration `e` carries loonheffing:
    /// the confirmed accounts, or — before anything is confirmed — the proposal (named like
    /// "loonheffing", or RGS code BSchBepLhe…).
    static let wageTaxAccountCondition = """
        (EXISTS (SELECT 1 FROM wage_tax_accounts w WHERE w.administration_id = e.administration_id AND w.account_id = a.id)
         OR (NOT EXISTS (SELECT 1 FROM wage_tax_settings s WHERE s.administration_id = e.administration_id)
             AND a.type = 'B' AND (lower(a.name) LIKE '%loonheffing%' OR COALESCE(a.rgs_code, '') LIKE 'BSchBepLhe%')))
        """

    // MARK: - Tax returns

    /// Replaces the stored tax returns of an administration with what Loket sent now, and notes
    /// that Loket answered. One transaction.
    public func replaceTaxReturns(administrationId: AdministrationID, _ returns: [TaxReturnRecord], at now: Date) async throws {
        try await self.writer.write { db in
            try db.execute(sql: "DELETE FROM loket_tax_returns WHERE administration_id = ?", arguments: [administrationId])
            for record in returns where record.administrationId == administrationId { try record.insert(db, onConflict: .replace) }
            try db.execute(
                sql: "INSERT OR REPLACE INTO loket_tax_return_access (administration_id, refused, checked_at) VALUES (?, NULL, ?)",
                arguments: [administrationId, now]
            )
        }
    }

    /// Notes that Loket refused the tax returns of an administration (the stored ones stay).
    public func recordTaxReturnsRefused(administrationId: AdministrationID, reason: String, at now: Date) async throws {
        try await self.writer.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO loket_tax_return_access (administration_id, refused, checked_at) VALUES (?, ?, ?)",
                arguments: [administrationId, String(reason.prefix(500)), now]
            )
        }
    }

    public func taxReturns(administrationId: AdministrationID) throws -> [TaxReturnRecord] {
        try self.writer.read { db in
            try TaxReturnRecord.filter(Column("administration_id") == administrationId).order(Column("year").desc, Column("period").desc).fetchAll(db)
        }
    }

    /// The returns of one period number of one year, of every administration.
    public func taxReturns(year: Int, period: Int) throws -> [AdministrationID: [TaxReturnRecord]] {
        try self.writer.read { db in
            Dictionary(grouping: try TaxReturnRecord.filter(Column("year") == year && Column("period") == period).fetchAll(db), by: \.administrationId)
        }
    }

    /// The returns of one administration for one period number of one year.
    public func taxReturns(administrationId: AdministrationID, year: Int, period: Int) throws -> [TaxReturnRecord] {
        try self.writer.read { db in
            try TaxReturnRecord.filter(Column("administration_id") == administrationId && Column("year") == year && Column("period") == period).fetchAll(db)
        }
    }

    /// Why Loket refused this administration's tax returns, if it did.
    public func taxReturnsRefusal(administrationId: AdministrationID) throws -> String? {
        try self.writer.read { db in
            try String.fetchOne(db, sql: "SELECT refused FROM loket_tax_return_access WHERE administration_id = ?", arguments: [administrationId])
        }
    }

    /// Administrations whose tax returns Loket refused, with the reason.
    public func refusedTaxReturns() throws -> [AdministrationID: String] {
        try self.writer.read { db in
            Dictionary(
                try Row.fetchAll(db, sql: "SELECT administration_id, refused FROM loket_tax_return_access WHERE refused IS NOT NULL")
                    .map { (row: Row) -> (AdministrationID, String) in (row["administration_id"], row["refused"]) },
                uniquingKeysWith: { first, _ in first }
            )
        }
    }

    // MARK: - Wage-tax accounts

    public func wageTaxSetting(administrationId: AdministrationID) throws -> WageTaxSetting {
        try self.writer.read { db in
            if let row = try Row.fetchOne(db, sql: "SELECT rounding_account_id FROM wage_tax_settings WHERE administration_id = ?", arguments: [administrationId]) {
                let ids = try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT w.account_id FROM wage_tax_accounts w JOIN ledger_accounts a ON a.id = w.account_id
                        WHERE w.administration_id = ? ORDER BY a.number
                        """,
                    arguments: [administrationId]
                )
                return WageTaxSetting(accountIds: ids, confirmed: true, roundingAccountId: row["rounding_account_id"])
            }
            let proposed = try Int64.fetchAll(
                db,
                sql: """
                    SELECT a.id FROM ledger_accounts a JOIN (SELECT ? AS administration_id) e
                    WHERE a.administration_id = e.administration_id AND a.is_active = 1 AND \(Self.wageTaxAccountCondition) ORDER BY a.number
                    """,
                arguments: [administrationId]
            )
            // Rounding differences: an account named for them ("Afrondingsverschillen …"), if any.
            let rounding = try Int64.fetchOne(
                db,
                sql: """
                    SELECT id FROM ledger_accounts WHERE administration_id = ? AND is_active = 1 AND lower(name) LIKE '%afronding%'
                    ORDER BY number LIMIT 1
                    """,
                arguments: [administrationId]
            )
            return WageTaxSetting(accountIds: proposed, confirmed: false, roundingAccountId: proposed.isEmpty ? nil : rounding)
        }
    }

    /// The wage-tax setting of every administration at once (the month-end overview of hundreds):
    /// the same answers as `wageTaxSetting(administrationId:)`, in four queries.
    public func wageTaxSettings() throws -> [AdministrationID: WageTaxSetting] {
        try self.writer.read { db in
            var confirmedRounding: [AdministrationID: Int64?] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT administration_id, rounding_account_id FROM wage_tax_settings") {
                confirmedRounding[row["administration_id"]] = .some(row["rounding_account_id"])
            }
            var accounts: [AdministrationID: [Int64]] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT w.administration_id, w.account_id FROM wage_tax_accounts w JOIN ledger_accounts a ON a.id = w.account_id ORDER BY a.number"
            ) {
                accounts[row["administration_id"], default: []].append(row["account_id"])
            }
            var proposed: [AdministrationID: [Int64]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT a.administration_id, a.id FROM ledger_accounts a
                    WHERE a.is_active = 1 AND a.type = 'B' AND (lower(a.name) LIKE '%loonheffing%' OR COALESCE(a.rgs_code, '') LIKE 'BSchBepLhe%')
                      AND NOT EXISTS (SELECT 1 FROM wage_tax_settings s WHERE s.administration_id = a.administration_id)
                    ORDER BY a.number
                    """
            ) {
                proposed[row["administration_id"], default: []].append(row["id"])
            }
            var rounding: [AdministrationID: Int64] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT administration_id, id FROM ledger_accounts WHERE is_active = 1 AND lower(name) LIKE '%afronding%' ORDER BY number DESC"
            ) {
                rounding[row["administration_id"]] = row["id"]  // the lowest number wins
            }
            var result: [AdministrationID: WageTaxSetting] = [:]
            for (id, roundingAccount) in confirmedRounding {
                result[id] = WageTaxSetting(accountIds: accounts[id] ?? [], confirmed: true, roundingAccountId: roundingAccount)
            }
            for (id, ids) in proposed where result[id] == nil {
                result[id] = WageTaxSetting(accountIds: ids, confirmed: false, roundingAccountId: rounding[id])
            }
            return result
        }
    }

    /// Confirms which accounts carry loonheffing (at least one, all of this administration) and
    /// where rounding differences go.
    public func confirmWageTaxAccounts(administrationId: AdministrationID, accountIds: [Int64], roundingAccountId: Int64?, at now: Date) throws {
        try self.writer.write { db in
            try self.confirmWageTax(administrationId, accountIds, roundingAccountId, now, db)
        }
    }

    private func confirmWageTax(_ administrationId: AdministrationID, _ accountIds: [Int64], _ roundingAccountId: Int64?, _ now: Date, _ db: Database) throws {
        guard try AdministrationRecord.filter(key: administrationId).fetchCount(db) == 1 else { throw StorageError.administrationNotFound }
        let wanted = Set(accountIds).union(roundingAccountId.map { [$0] } ?? [])
        let own = try Int64.fetchSet(db, sql: "SELECT id FROM ledger_accounts WHERE administration_id = ?", arguments: [administrationId])
        guard !accountIds.isEmpty, wanted.isSubset(of: own) else { throw StorageError.accountNotFound }
        try db.execute(sql: "DELETE FROM wage_tax_settings WHERE administration_id = ?", arguments: [administrationId])
        try db.execute(
            sql: "INSERT INTO wage_tax_settings (administration_id, rounding_account_id, confirmed_at) VALUES (?, ?, ?)",
            arguments: [administrationId, roundingAccountId, now]
        )
        for id in Set(accountIds) {
            try db.execute(sql: "INSERT INTO wage_tax_accounts (administration_id, account_id) VALUES (?, ?)", arguments: [administrationId, id])
        }
        let numbers = try String.fetchAll(
            db, sql: "SELECT number FROM ledger_accounts WHERE id IN (\(accountIds.map { _ in "?" }.joined(separator: ","))) ORDER BY number",
            arguments: StatementArguments(accountIds)
        )
        try self.auditEntry(administrationId, "loonheffing", "bevestigd", "rekening(en) \(numbers.joined(separator: ", "))", now, db)
    }

    /// Copies the confirmed wage-tax setting to other administrations by account number. A
    /// target without all those numbers is skipped (named in the result). All in one transaction.
    public func copyWageTaxAccounts(from source: AdministrationID, to targets: [AdministrationID], at now: Date) throws -> (copied: [AdministrationID], skipped: [AdministrationID]) {
        try self.writer.write { db in
            let numbers = try String.fetchAll(
                db,
                sql: "SELECT a.number FROM wage_tax_accounts w JOIN ledger_accounts a ON a.id = w.account_id WHERE w.administration_id = ?",
                arguments: [source]
            )
            guard !numbers.isEmpty else { throw StorageError.accountNotFound }
            let rounding = try String.fetchOne(
                db,
                sql: "SELECT a.number FROM wage_tax_settings s JOIN ledger_accounts a ON a.id = s.rounding_account_id WHERE s.administration_id = ?",
                arguments: [source]
            )
            var copied: [AdministrationID] = []
            var skipped: [AdministrationID] = []
            for target in targets where target != source {
                let byNumber = Dictionary(
                    try Row.fetchAll(db, sql: "SELECT number, id FROM ledger_accounts WHERE administration_id = ?", arguments: [target])
                        .map { (row: Row) -> (String, Int64) in (row["number"], row["id"]) },
                    uniquingKeysWith: { first, _ in first }
                )
                let ids = numbers.compactMap { byNumber[$0] }
                guard ids.count == numbers.count else {
                    skipped.append(target)
                    continue
                }
                try self.confirmWageTax(target, ids, rounding.flatMap { byNumber[$0] }, now, db)
                copied.append(target)
            }
            return (copied, skipped)
        }
    }

    // MARK: - Loonheffing per payroll period

    /// The loonheffing in the entries of each administration for payroll period `year`/`period`
    /// (drafts and booked; a reversal carries the period of what it reverses, so it nets out).
    public func periodWageTax(year: Int, period: Int, administrationId: AdministrationID? = nil) throws -> [AdministrationID: PeriodWageTax] {
        try self.writer.read { db in
            var result: [AdministrationID: PeriodWageTax] = [:]
            let filter = administrationId == nil ? "" : "AND e.administration_id = ?"
            var arguments: StatementArguments = [year, period]
            if let administrationId { arguments += [administrationId] }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT e.administration_id AS administration_id, e.status AS status, COUNT(*) AS entries,
                           SUM(e.source = 'loket') AS loket_entries,
                           COALESCE(SUM((SELECT SUM(l.credit_cents) - SUM(l.debit_cents) FROM journal_lines l JOIN ledger_accounts a ON a.id = l.account_id
                                         WHERE l.entry_id = e.id AND \(Self.wageTaxAccountCondition))), 0) AS cents
                    FROM journal_entries e
                    WHERE e.payroll_year = ? AND e.payroll_period = ? \(filter)
                    GROUP BY e.administration_id, e.status
                    """,
                arguments: arguments
            ) {
                let id: AdministrationID = row["administration_id"]
                var tax = result[id] ?? PeriodWageTax()
                let entries: Int = row["entries"]
                let cents: Int64 = row["cents"]
                if row["status"] as String == EntryStatus.booked.rawValue {
                    tax.bookedCents = cents
                    tax.bookedEntries = entries
                } else {
                    tax.draftCents = cents
                    tax.draftEntries = entries
                }
                tax.loketEntries += row["loket_entries"] as Int
                result[id] = tax
            }
            return result
        }
    }

    /// The most recent payroll period (year, number), not after `latest`, that has a stored tax
    /// return or an entry from Loket; nil when there is none.
    public func latestControlPeriod(notAfter latest: (year: Int, period: Int)) throws -> (year: Int, period: Int)? {
        try self.writer.read { db in
            let key = latest.year * 100 + latest.period
            let found = try Int.fetchOne(
                db,
                sql: """
                    SELECT MAX(k) FROM (
                        SELECT year * 100 + period AS k FROM loket_tax_returns WHERE period > 0
                        UNION ALL SELECT payroll_year * 100 + payroll_period FROM journal_entries WHERE source = 'loket' AND payroll_year IS NOT NULL
                    ) WHERE k <= ?
                    """,
                arguments: [key]
            )
            return found.map { ($0 / 100, $0 % 100) }
        }
    }

    /// Adds a rounding line pair: `cents` debit on the wage-tax account and credit on the
    /// rounding account (negative `cents`: the other way round). On a draft the lines go into the
    /// draft; a booked entry never changes, so then a new draft in the same period gets them.
    /// One transaction; the history names it. Returns the draft that got the lines.
    public func addRoundingLines(
        entryId: EntryID, administrationId: AdministrationID, wageTaxAccountId: Int64, roundingAccountId: Int64, cents: Int64,
        description: String, at now: Date
    ) throws -> EntryID {
        try self.writer.write { db in
            guard var entry = try JournalEntryRecord.filter(Column("id") == entryId && Column("administration_id") == administrationId).fetchOne(db) else {
                throw EntryError.notFound
            }
            let own = try Int64.fetchSet(db, sql: "SELECT id FROM ledger_accounts WHERE administration_id = ? AND is_active = 1", arguments: [administrationId])
            guard own.contains(wageTaxAccountId), own.contains(roundingAccountId), wageTaxAccountId != roundingAccountId else { throw StorageError.accountNotFound }
            guard cents != 0, cents.magnitude <= UInt64(JournalLimits.lineAmountCents) else { throw EntryError.beyondLimits("Het afrondingsverschil is nul of te groot.") }
            let amount = Money(cents: Int64(cents.magnitude))
            let zero = Money(cents: 0)
            let lines = [
                NewLine(accountId: wageTaxAccountId, description: description, costCenter: nil, costUnit: nil,
                        debit: cents > 0 ? amount : zero, credit: cents > 0 ? zero : amount, original: nil),
                NewLine(accountId: roundingAccountId, description: description, costCenter: nil, costUnit: nil,
                        debit: cents > 0 ? zero : amount, credit: cents > 0 ? amount : zero, original: nil),
            ]
            if entry.isBooked {
                guard let date = entry.date else { throw EntryError.notFound }
                let draft = NewDraft(
                    administrationId: administrationId, source: .manual, sourceReference: nil, description: description, entryDate: date,
                    period: entry.period, payrollYear: entry.payrollYear, payrollPeriod: entry.payrollPeriod, lines: lines
                )
                let id = try self.insertDraft(draft, at: now, db)
                try self.recordHistory(id, administrationId, "boeking", "", "concept aangemaakt: afrondingsverschil loonaangifte bij boeking \(entry.fiscalYear)-\(entry.number ?? 0)", now, db)
                return id
            }
            let position = (try Int.fetchOne(db, sql: "SELECT MAX(position) FROM journal_lines WHERE entry_id = ?", arguments: [entryId]) ?? 0) + 1
            for (offset, line) in lines.enumerated() { try self.insertLine(line, entryId: entryId, position: position + offset, db) }
            try self.recordHistory(entryId, administrationId, "regel \(position)", "", "toegevoegd: afrondingsverschil loonaangifte \(amount.dutch)", now, db)
            entry.version += 1
            entry.updatedAt = now
            try entry.update(db)
            return entryId
        }
    }
}

// MARK: - Month-end status per administration and period

/// Where the journal run of a payroll period stood in Loket at the last refresh.
public enum JournalRunState: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Not asked: the period's entry is here already, or the payroll is not approved.
    case notAsked
    case missing
    /// Loket is making it (status 0–3; 2 and 3 mean it failed or was removed).
    case inProgress
    case ready
    /// Loket could not be asked (the reason is in `problem`).
    case unknown
}

/// What Loket said of one administration's payroll period at the last month-end refresh.
public struct PeriodStatusRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "loket_period_status"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var administrationId: AdministrationID
    public var year: Int
    public var period: Int
    /// `payrollStatus.payroll.status.key` (6 = approved); nil: Loket did not list it.
    public var payrollStatusKey: Int?
    public var periodStart: String?
    public var periodEnd: String?
    public var journal: JournalRunState
    public var journalStatusKey: Int?
    /// Why Loket could not be asked (connection, not listed), in Dutch.
    public var problem: String?
    public var fetchedAt: Date

    public init(
        administrationId: AdministrationID, year: Int, period: Int, payrollStatusKey: Int?, periodStart: String?, periodEnd: String?,
        journal: JournalRunState, journalStatusKey: Int?, problem: String?, fetchedAt: Date
    ) {
        self.administrationId = administrationId
        self.year = year
        self.period = period
        // A key outside what Loket documents is not stored as another key: it is unknown.
        self.payrollStatusKey = payrollStatusKey.flatMap { (0...99).contains($0) ? $0 : nil }
        self.periodStart = periodStart.flatMap { $0.count == 10 ? $0 : nil }
        self.periodEnd = periodEnd.flatMap { $0.count == 10 ? $0 : nil }
        self.journal = journal
        self.journalStatusKey = journalStatusKey.flatMap { (0...99).contains($0) ? $0 : nil }
        self.problem = problem.map { String($0.prefix(1000)) }
        self.fetchedAt = fetchedAt
    }
}

/// When the month-end overview of a period was last refreshed from Loket.
public struct MonthEndRefresh: Equatable, Sendable {
    public let refreshedAt: Date
    public let requests: Int
}

extension AppDatabase {
    /// Stores what one refresh of the month-end overview learned, in one transaction: the
    /// status of every administration asked, and when (with the number of requests it took).
    public func savePeriodStatuses(year: Int, period: Int, _ records: [PeriodStatusRecord], requests: Int, at now: Date) async throws {
        try await self.writer.write { db in
            for record in records where record.year == year && record.period == period {
                try record.insert(db, onConflict: .replace)
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO month_end_refreshes (year, period, refreshed_at, requests) VALUES (?, ?, ?, ?)",
                arguments: [year, period, now, max(0, requests)]
            )
        }
    }

    /// The stored status of every administration for one period.
    public func periodStatuses(year: Int, period: Int) throws -> [AdministrationID: PeriodStatusRecord] {
        try self.writer.read { db in
            let records = try PeriodStatusRecord.filter(Column("year") == year && Column("period") == period).fetchAll(db)
            return Dictionary(records.map { ($0.administrationId, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    public func monthEndRefresh(year: Int, period: Int) throws -> MonthEndRefresh? {
        try self.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT refreshed_at, requests FROM month_end_refreshes WHERE year = ? AND period = ?", arguments: [year, period])
                .map { MonthEndRefresh(refreshedAt: $0["refreshed_at"], requests: $0["requests"]) }
        }
    }

    /// Notes that Loket started a journal run for an administration's period (status 0), so the
    /// overview says so before the next refresh. The history of the administration names it.
    public func recordJournalRunStarted(administrationId: AdministrationID, year: Int, period: Int, statusKey: Int, at now: Date) throws {
        try self.writer.write { db in
            guard try AdministrationRecord.filter(key: administrationId).fetchCount(db) == 1 else { throw StorageError.administrationNotFound }
            var record = try PeriodStatusRecord.filter(Column("administration_id") == administrationId && Column("year") == year && Column("period") == period)
                .fetchOne(db)
                ?? PeriodStatusRecord(
                    administrationId: administrationId, year: year, period: period, payrollStatusKey: nil, periodStart: nil, periodEnd: nil,
                    journal: .inProgress, journalStatusKey: statusKey, problem: nil, fetchedAt: now
                )
            record.journal = .inProgress
            record.journalStatusKey = (0...99).contains(statusKey) ? statusKey : nil
            record.fetchedAt = now
            try record.insert(db, onConflict: .replace)
            try self.auditEntry(administrationId, "loket", "journaliseren gestart", String(format: "periode %04d-%02d", year, period), now, db)
        }
    }
}

extension AppDatabase {
    /// The drafts of one payroll period of an administration, oldest first (an original before
    /// its recalculation).
    public func draftIds(administrationId: AdministrationID, payrollYear: Int, payrollPeriod: Int) throws -> [EntryID] {
        try self.writer.read { db in
            try EntryID.fetchAll(
                db,
                sql: """
                    SELECT id FROM journal_entries
                    WHERE administration_id = ? AND payroll_year = ? AND payroll_period = ? AND status = ?
                    ORDER BY id
                    """,
                arguments: [administrationId, payrollYear, payrollPeriod, EntryStatus.draft.rawValue]
            )
        }
    }
}
