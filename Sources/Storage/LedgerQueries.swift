import Foundation
import GRDB
import Ledger

/// Per account: debit and credit of one period (or the whole year) and of the year to date.
public struct TrialBalanceRow: Equatable, Sendable, FetchableRecord, Decodable {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public var accountId: Int64
    public var number: String
    public var name: String
    public var type: String
    public var debitCents: Int64
    public var creditCents: Int64
    public var debitToDateCents: Int64
    public var creditToDateCents: Int64
}

/// One booked line in the journal or on an account card.
public struct LedgerLineRow: Equatable, Sendable, FetchableRecord, Decodable {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public var entryId: EntryID
    public var number: Int
    public var fiscalYear: Int
    public var entryDate: String
    public var period: Int
    public var entryDescription: String
    public var source: EntrySource
    public var position: Int
    public var accountId: Int64
    public var accountNumber: String
    public var accountName: String
    public var accountType: String
    public var rgsCode: String?
    public var description: String
    public var costCenter: String?
    public var costUnit: String?
    public var debitCents: Int64
    public var creditCents: Int64
}

/// Sums of booked lines.
public struct LedgerTotals: Equatable, Sendable {
    public var entries: Int
    public var lines: Int
    public var debit: Money
    public var credit: Money
}

/// A period of a fiscal year and whether it is closed.
public struct PeriodState: Equatable, Sendable {
    public var period: Int
    public var closed: Bool
    public var closedAt: Date?
    public var bookedEntries: Int
}

public enum PeriodError: Error, Equatable {
    case reasonRequired
    /// Too long, or with characters a text field cannot hold (the Dutch message).
    case invalidReason(String)
    case outOfRange
}

extension AppDatabase {
    static let ledgerLineSelect = """
        SELECT e.id AS entry_id, e.number, e.fiscal_year, e.entry_date, e.period, e.description AS entry_description, e.source,
               l.position, a.id AS account_id, a.number AS account_number, a.name AS account_name, a.type AS account_type, a.rgs_code,
               l.description, l.cost_center, l.cost_unit, l.debit_cents, l.credit_cents
        FROM journal_entries e
        JOIN journal_lines l ON l.entry_id = e.id
        JOIN ledger_accounts a ON a.id = l.account_id
        """

    /// Totals of the booked lines of a year (optionally one period) — the auditfile's control totals.
    public func ledgerTotals(administrationId: AdministrationID, year: Int, period: Int? = nil) throws -> LedgerTotals {
        try self.writer.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(DISTINCT e.id) AS entries, COUNT(l.id) AS lines,
                           COALESCE(SUM(l.debit_cents), 0) AS debit, COALESCE(SUM(l.credit_cents), 0) AS credit
                    FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id
                    WHERE e.administration_id = ? AND e.status = 'booked' AND e.fiscal_year = ? AND (? IS NULL OR e.period = ?)
                    """,
                arguments: [administrationId, year, period, period]
            )!
            return LedgerTotals(entries: row["entries"], lines: row["lines"], debit: Money(cents: row["debit"]), credit: Money(cents: row["credit"]))
        }
    }

    /// Streams every booked entry of a year with its lines, in entry-number order, without
    /// loading them all (one read transaction, a cursor).
    public func forEachBookedEntry(administrationId: AdministrationID, year: Int, _ body: ([LedgerLineRow]) throws -> Void) throws {
        try self.writer.read { db in
            let cursor = try LedgerLineRow.fetchCursor(
                db,
                sql: Self.ledgerLineSelect + " WHERE e.administration_id = ? AND e.status = 'booked' AND e.fiscal_year = ? ORDER BY e.number, l.position, l.id",
                arguments: [administrationId, year]
            )
            var current: [LedgerLineRow] = []
            while let line = try cursor.next() {
                if let first = current.first, first.entryId != line.entryId {
                    try body(current)
                    current.removeAll(keepingCapacity: true)
                }
                current.append(line)
            }
            if !current.isEmpty { try body(current) }
        }
    }

    /// Booked lines of a year, newest entry first, filtered and paged (journal page).
    public func journalLines(
        administrationId: AdministrationID, year: Int, period: Int?, accountId: Int64?, source: EntrySource?, limit: Int, offset: Int
    ) throws -> (lines: [LedgerLineRow], total: Int) {
        try self.writer.read { db in
            let filter = """
                 WHERE e.administration_id = ? AND e.status = 'booked' AND e.fiscal_year = ?
                   AND (? IS NULL OR e.period = ?) AND (? IS NULL OR l.account_id = ?) AND (? IS NULL OR e.source = ?)
                """
            let arguments: StatementArguments = [administrationId, year, period, period, accountId, accountId, source, source]
            let total = try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id JOIN ledger_accounts a ON a.id = l.account_id" + filter,
                arguments: arguments
            ) ?? 0
            let lines = try LedgerLineRow.fetchAll(
                db, sql: Self.ledgerLineSelect + filter + " ORDER BY e.number DESC, l.position LIMIT ? OFFSET ?",
                arguments: arguments + [limit, offset]
            )
            return (lines, total)
        }
    }

    /// One account's booked lines of a year, oldest first, with the running balance, paged.
    public func accountCard(administrationId: AdministrationID, accountId: Int64, year: Int, limit: Int, offset: Int) throws -> (lines: [(LedgerLineRow, Int64)], total: Int) {
        try self.writer.read { db in
            let total = try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
                    WHERE e.administration_id = ? AND e.status = 'booked' AND e.fiscal_year = ? AND l.account_id = ?
                    """,
                arguments: [administrationId, year, accountId]
            ) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT * FROM (" + Self.ledgerLineSelect
                    + " WHERE e.administration_id = ? AND e.status = 'booked' AND e.fiscal_year = ? AND l.account_id = ?)"
                    + " ORDER BY entry_date, number, position LIMIT ? OFFSET ?",
                arguments: [administrationId, year, accountId, limit, offset]
            )
            let opening = try Int64.fetchOne(
                db,
                sql: """
                    SELECT COALESCE(SUM(debit_cents - credit_cents), 0) FROM (
                      SELECT l.debit_cents, l.credit_cents FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
                      WHERE e.administration_id = ? AND e.status = 'booked' AND e.fiscal_year = ? AND l.account_id = ?
                      ORDER BY e.entry_date, e.number, l.position LIMIT ?)
                    """,
                arguments: [administrationId, year, accountId, offset]
            ) ?? 0
            var running = opening
            var lines: [(LedgerLineRow, Int64)] = []
            for row in rows {
                let line = try LedgerLineRow(row: row)
                // Bounded by JournalLimits (at most 10^15); checked all the same.
                running = try (Money(cents: running) + Money(cents: line.debitCents) - Money(cents: line.creditCents)).cents
                lines.append((line, running))
            }
            return (lines, total)
        }
    }

    /// The trial balance: every account with booked lines in the year, with the chosen period's
    /// movements (the whole year when nil) and the year to date up to that period.
    public func trialBalance(administrationId: AdministrationID, year: Int, period: Int?) throws -> [TrialBalanceRow] {
        try self.writer.read { db in
            try TrialBalanceRow.fetchAll(
                db,
                sql: """
                    SELECT a.id AS account_id, a.number, a.name, a.type,
                           COALESCE(SUM(CASE WHEN ? IS NULL OR e.period = ? THEN l.debit_cents END), 0) AS debit_cents,
                           COALESCE(SUM(CASE WHEN ? IS NULL OR e.period = ? THEN l.credit_cents END), 0) AS credit_cents,
                           COALESCE(SUM(CASE WHEN ? IS NULL OR e.period <= ? THEN l.debit_cents END), 0) AS debit_to_date_cents,
                           COALESCE(SUM(CASE WHEN ? IS NULL OR e.period <= ? THEN l.credit_cents END), 0) AS credit_to_date_cents
                    FROM ledger_accounts a
                    JOIN journal_lines l ON l.account_id = a.id
                    JOIN journal_entries e ON e.id = l.entry_id AND e.status = 'booked' AND e.fiscal_year = ?
                    WHERE a.administration_id = ?
                    GROUP BY a.id
                    ORDER BY a.number
                    """,
                arguments: [period, period, period, period, period, period, period, period, year, administrationId]
            )
        }
    }

    /// Periods 1–13 of a year with their state.
    public func periodStates(administrationId: AdministrationID, year: Int) throws -> [PeriodState] {
        try self.writer.read { db in
            var closed: [Int: Date] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT period, closed_at FROM closed_periods WHERE administration_id = ? AND fiscal_year = ?", arguments: [administrationId, year]) {
                closed[row["period"]] = row["closed_at"]
            }
            var booked: [Int: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT period, COUNT(*) AS n FROM journal_entries WHERE administration_id = ? AND fiscal_year = ? AND status = 'booked' GROUP BY period",
                arguments: [administrationId, year]
            ) {
                booked[row["period"]] = row["n"]
            }
            return (1...13).map { PeriodState(period: $0, closed: closed[$0] != nil, closedAt: closed[$0], bookedEntries: booked[$0] ?? 0) }
        }
    }

    public func closePeriod(administrationId: AdministrationID, year: Int, period: Int, at now: Date) throws {
        guard (1...13).contains(period) else { throw PeriodError.outOfRange }
        try self.writer.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO closed_periods (administration_id, fiscal_year, period, closed_at) VALUES (?, ?, ?, ?)",
                arguments: [administrationId, year, period, now]
            )
            try self.auditEntry(administrationId, "periode \(year)-\(period)", "afgesloten", "", now, db)
        }
    }

    /// Reopens a closed period; the reason is required and recorded.
    public func reopenPeriod(administrationId: AdministrationID, year: Int, period: Int, reason: String, at now: Date) throws {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw PeriodError.reasonRequired }
        if let problem = TextRules.lineProblem(reason, max: 500, what: "De reden") { throw PeriodError.invalidReason(problem) }
        try self.writer.write { db in
            try db.execute(
                sql: "DELETE FROM closed_periods WHERE administration_id = ? AND fiscal_year = ? AND period = ?",
                arguments: [administrationId, year, period]
            )
            try self.auditEntry(administrationId, "periode \(year)-\(period)", "heropend", reason, now, db)
        }
    }

    /// The first period of the year that is not closed (offered when booking into a closed one).
    public func firstOpenPeriod(administrationId: AdministrationID, year: Int) throws -> Int? {
        let closed = try self.closedPeriods(administrationId: administrationId, year: year)
        return (1...13).first { !closed.contains($0) }
    }
}

/// One entry of the Boekingen list, with its debit total.
public struct EntryListRow: Equatable, Sendable {
    public let id: EntryID
    public let status: EntryStatus
    public let number: Int?
    public let fiscalYear: Int
    public let period: Int
    public let entryDate: String
    public let description: String
    public let source: EntrySource
    public let debitCents: Int64
    public let unknownAccounts: Int
}

/// What the Boekingen list is narrowed to.
public struct EntryFilter: Equatable, Sendable {
    public var search: String
    public var status: EntryStatus?
    public var year: Int?
    public var period: Int?

    public init(search: String = "", status: EntryStatus? = nil, year: Int? = nil, period: Int? = nil) {
        self.search = search
        self.status = status
        self.year = year
        self.period = period
    }
}

extension AppDatabase {
    /// The entries of an administration, newest first, narrowed by the filter: the search
    /// matches the description or the number ("2026-3"). At most `limit` rows and the count.
    public func entryList(administrationId: AdministrationID, _ filter: EntryFilter, limit: Int, offset: Int) throws -> (rows: [EntryListRow], total: Int) {
        try self.writer.read { db in
            var conditions = ["e.administration_id = ?"]
            var arguments: StatementArguments = [administrationId]
            if let status = filter.status { conditions.append("e.status = ?"); arguments += [status] }
            if let year = filter.year { conditions.append("e.fiscal_year = ?"); arguments += [year] }
            if let period = filter.period { conditions.append("e.period = ?"); arguments += [period] }
            let search = filter.search.trimmingCharacters(in: .whitespaces)
            if !search.isEmpty {
                let escaped = search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
                conditions.append("(e.description LIKE ? ESCAPE '\\' OR (e.fiscal_year || '-' || e.number) = ?)")
                arguments += ["%\(escaped)%", search]
            }
            let whereClause = conditions.joined(separator: " AND ")
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal_entries e WHERE \(whereClause)", arguments: arguments) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id, e.status, e.number, e.fiscal_year, e.period, e.entry_date, e.description, e.source,
                           COALESCE((SELECT SUM(l.debit_cents) FROM journal_lines l WHERE l.entry_id = e.id), 0) AS debit_cents,
                           (SELECT COUNT(DISTINCT l.original_account_code) FROM journal_lines l
                             WHERE l.entry_id = e.id AND l.account_id IS NULL AND l.original_account_code IS NOT NULL) AS unknown_accounts
                    FROM journal_entries e WHERE \(whereClause)
                    ORDER BY e.entry_date DESC, e.id DESC LIMIT ? OFFSET ?
                    """,
                arguments: arguments + [limit, offset]
            ).map { row in
                EntryListRow(
                    id: row["id"], status: row["status"], number: row["number"], fiscalYear: row["fiscal_year"], period: row["period"],
                    entryDate: row["entry_date"], description: row["description"], source: row["source"], debitCents: row["debit_cents"],
                    unknownAccounts: row["unknown_accounts"]
                )
            }
            return (rows, total)
        }
    }
}
