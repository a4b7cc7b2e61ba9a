import Foundation
import Ledger
import Storage

/// The bookkeeping use cases that need no Loket: administrations and their chart of accounts,
/// editing and deleting drafts, reversal, account mappings, settings and period closing. Pages
/// and commands call these; each is one transaction in `Storage`, checked by `Ledger`'s rules,
/// and stamped with the injected clock.
public struct Bookkeeping: Sendable {
    public let database: AppDatabase
    public let now: @Sendable () -> Date

    public init(database: AppDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    // MARK: - Administrations and their chart

    public func createAdministration(_ details: AdministrationDetails) throws -> AdministrationRecord {
        try self.database.createAdministration(details, at: self.now())
    }

    public func updateAdministration(id: AdministrationID, _ details: AdministrationDetails) throws -> AdministrationRecord {
        try self.database.updateAdministration(id: id, details, at: self.now())
    }

    public func addAccount(administrationId: AdministrationID, _ account: ChartAccount) throws -> LedgerAccountRecord {
        try self.database.addAccount(administrationId: administrationId, account, at: self.now())
    }

    public func updateAccount(id: Int64, administrationId: AdministrationID, _ account: ChartAccount) throws -> LedgerAccountRecord {
        try self.database.updateAccount(id: id, administrationId: administrationId, account, at: self.now())
    }

    /// Accounts are never deleted: deactivated, and activated again.
    public func setAccountActive(id: Int64, administrationId: AdministrationID, active: Bool) throws -> LedgerAccountRecord {
        try self.database.setAccountActive(id: id, administrationId: administrationId, active: active, at: self.now())
    }

    /// A chart file, all or nothing.
    public func importAccounts(administrationId: AdministrationID, _ accounts: [ChartAccount], lines: [Int]? = nil, source: String) throws -> Int {
        try self.database.importAccounts(administrationId: administrationId, accounts, lines: lines, source: source, at: self.now())
    }

    public func addStarterChart(administrationId: AdministrationID) throws -> Int {
        try self.database.addStarterChart(administrationId: administrationId, at: self.now())
    }

    // MARK: - Drafts, reversal, mappings, settings

    /// Saves a draft (header and every line) when nobody saved it since `expectedVersion`.
    public func saveDraft(entryId: EntryID, administrationId: AdministrationID, expectedVersion: Int, header: AppDatabase.DraftHeader, lines: [DraftLineInput]) throws -> Int {
        try self.database.saveDraft(
            entryId: entryId, administrationId: administrationId, expectedVersion: expectedVersion, header: header, lines: lines, at: self.now()
        )
    }

    /// Deletes a draft (never a booked entry); its run can be imported again.
    public func deleteDraft(entryId: EntryID, administrationId: AdministrationID) throws {
        try self.database.deleteDraft(entryId: entryId, administrationId: administrationId, at: self.now())
    }

    /// Corrects a booked entry by a mirrored, booked entry linked to it: in the entry's own
    /// period, or in `into` (the proposal below) when that one is closed.
    public func reverse(entryId: EntryID, administrationId: AdministrationID, into target: (period: Int, date: CalendarDate)? = nil) throws -> JournalEntryRecord {
        try self.database.reverse(entryId: entryId, administrationId: administrationId, into: target, at: self.now())
    }

    /// Where a reversal goes when the entry's own period is closed: the first open period after
    /// it in the same year (period 13 as the last), on its last day (a 4-weekly period's own end).
    /// Nil when the entry's period is open (the reversal goes there) or no later period is open.
    public func reversalProposal(for entry: JournalEntryRecord, periods count: Int) throws -> (period: Int, date: CalendarDate)? {
        let id = entry.administrationId
        let closed = try self.database.closedPeriods(administrationId: id, year: entry.fiscalYear)
        guard closed.contains(entry.period) else { return nil }
        // Never before the entry it reverses; period 13 (December) is the last one of any year.
        guard entry.period < 13, let period = ((entry.period + 1)...13).first(where: { !closed.contains($0) && ($0 <= count || $0 == 13) }) else { return nil }
        if count == 13, let date = PayrollCalendar.entryDate(year: entry.fiscalYear, period: period, kind: .fourWeeks, loketEndDate: nil) {
            return (period, date)
        }
        return (period, CalendarDate.lastDay(ofMonth: min(period, 12), year: entry.fiscalYear))
    }

    /// Remembers that a Loket code means this account and applies it to the drafts; returns how many drafts changed.
    public func mapLoketCode(administrationId: AdministrationID, code: String, accountId: Int64) throws -> Int {
        try self.database.mapLoketCode(administrationId: administrationId, code: code, accountId: accountId, at: self.now())
    }

    /// Creates the account a Loket code asks for (on request, never silently) and applies it.
    public func createAccountFromLoket(administrationId: AdministrationID, code: String, name: String, type: AccountType) throws -> LedgerAccountRecord {
        try self.database.createAccountFromLoket(administrationId: administrationId, code: code, name: name, type: type, at: self.now())
    }

    public func saveSettings(administrationId: AdministrationID, _ settings: AdministrationSettings) throws {
        try self.database.saveSettings(administrationId: administrationId, settings, at: self.now())
    }

    // MARK: - Periods

    public func closePeriod(administrationId: AdministrationID, year: Int, period: Int) throws {
        try self.database.closePeriod(administrationId: administrationId, year: year, period: period, at: self.now())
    }

    /// Reopening needs a reason, which is recorded.
    public func reopenPeriod(administrationId: AdministrationID, year: Int, period: Int, reason: String) throws {
        try self.database.reopenPeriod(administrationId: administrationId, year: year, period: period, reason: reason, at: self.now())
    }

    // MARK: - Bulk sync

    /// How many administrations "Alles bijwerken" works on at once.
    public func setSyncConcurrency(_ value: Int) throws {
        try self.database.setSyncConcurrency(value, at: self.now())
    }
}
