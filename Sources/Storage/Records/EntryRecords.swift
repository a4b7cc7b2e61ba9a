import Foundation
import GRDB
import Ledger

/// Where an entry stands; stored as text (`draft`, `booked`), the CHECK constraint's values.
public enum EntryStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case draft
    case booked
}

/// Where an entry came from; stored as text, the CHECK constraint's values.
public enum EntrySource: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case loket
    case file
    case manual
    case reversal
}

/// A journal entry (boeking): a draft to review, or booked and immutable.
public struct JournalEntryRecord: Codable, Equatable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "journal_entries"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: EntryID?
    public var administrationId: AdministrationID
    public var status: EntryStatus
    public var source: EntrySource
    public var sourceReference: String?
    public var sourceSequence: Int
    public var description: String
    public var entryDate: String
    public var fiscalYear: Int
    public var period: Int
    public var number: Int?
    public var isDifference: Bool
    public var payrollYear: Int?
    public var payrollPeriod: Int?
    public var loketRunSequence: Int?
    public var loketPayrollRunId: String?
    public var loketDebitCents: Int64?
    public var loketCreditCents: Int64?
    public var reversesEntryId: EntryID?
    public var version: Int
    public var bookedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public var isBooked: Bool { self.status == .booked }
    public var date: CalendarDate? { try? CalendarDate.parse(self.entryDate) }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        self.id = EntryID(inserted.rowID)
    }
}

/// One line with its account, as pages and booking checks need it.
public struct EntryLineRow: Equatable, Sendable, FetchableRecord, Decodable {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public var id: Int64
    public var position: Int
    public var accountId: Int64?
    public var accountNumber: String?
    public var accountName: String?
    public var accountActive: Bool?
    public var description: String
    public var costCenter: String?
    public var costUnit: String?
    public var debitCents: Int64
    public var creditCents: Int64
    public var originalAccountCode: String?
    public var originalAccountDescription: String?
    public var originalCostCenter: String?
    public var originalCostUnit: String?
    public var originalComponent: String?
    public var originalDebitCents: Int64?
    public var originalCreditCents: Int64?

    public var entryLine: EntryLine {
        EntryLine(
            position: self.position, accountNumber: self.accountNumber, accountActive: self.accountActive,
            originalCode: self.originalAccountCode, debit: Money(cents: self.debitCents), credit: Money(cents: self.creditCents)
        )
    }
}

/// A line to store: what it is now, and what Loket sent (nil for lines the user added).
public struct NewLine: Equatable, Sendable {
    public var accountId: Int64?
    public var description: String
    public var costCenter: String?
    public var costUnit: String?
    public var debit: Money
    public var credit: Money
    public var original: Original?

    public struct Original: Equatable, Sendable {
        public var accountCode: String
        public var accountDescription: String?
        public var costCenter: String?
        public var costUnit: String?
        public var component: String?
        public var debit: Money
        public var credit: Money

        public init(accountCode: String, accountDescription: String?, costCenter: String?, costUnit: String?, component: String?, debit: Money, credit: Money) {
            self.accountCode = accountCode
            self.accountDescription = accountDescription
            self.costCenter = costCenter
            self.costUnit = costUnit
            self.component = component
            self.debit = debit
            self.credit = credit
        }
    }

    public init(accountId: Int64?, description: String, costCenter: String?, costUnit: String?, debit: Money, credit: Money, original: Original?) {
        self.accountId = accountId
        self.description = description
        self.costCenter = costCenter
        self.costUnit = costUnit
        self.debit = debit
        self.credit = credit
        self.original = original
    }
}

/// A draft as an import makes it.
public struct NewDraft: Sendable {
    public var administrationId: AdministrationID
    public var source: EntrySource
    public var sourceReference: String?
    public var sourceSequence: Int
    public var description: String
    public var entryDate: CalendarDate
    public var period: Int
    public var isDifference: Bool
    public var payrollYear: Int?
    public var payrollPeriod: Int?
    public var loketRunSequence: Int?
    public var loketPayrollRunId: String?
    public var lines: [NewLine]

    public init(
        administrationId: AdministrationID, source: EntrySource, sourceReference: String?, sourceSequence: Int = 1, description: String, entryDate: CalendarDate,
        period: Int, isDifference: Bool = false, payrollYear: Int? = nil, payrollPeriod: Int? = nil, loketRunSequence: Int? = nil,
        loketPayrollRunId: String? = nil, lines: [NewLine]
    ) {
        self.administrationId = administrationId
        self.source = source
        self.sourceReference = sourceReference
        self.sourceSequence = sourceSequence
        self.description = description
        self.entryDate = entryDate
        self.period = period
        self.isDifference = isDifference
        self.payrollYear = payrollYear
        self.payrollPeriod = payrollPeriod
        self.loketRunSequence = loketRunSequence
        self.loketPayrollRunId = loketPayrollRunId
        self.lines = lines
    }
}

/// A line as the draft form posts it (checked already).
public struct DraftLineInput: Equatable, Sendable {
    /// The stored line this row edits; nil for a new line.
    public var lineId: Int64?
    public var accountId: Int64?
    public var description: String
    public var costCenter: String?
    public var costUnit: String?
    public var debit: Money
    public var credit: Money

    public init(lineId: Int64?, accountId: Int64?, description: String, costCenter: String?, costUnit: String?, debit: Money, credit: Money) {
        self.lineId = lineId
        self.accountId = accountId
        self.description = description
        self.costCenter = costCenter
        self.costUnit = costUnit
        self.debit = debit
        self.credit = credit
    }
}

public struct EntryHistoryRow: Equatable, Sendable, FetchableRecord, Decodable {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public var occurredAt: Date
    public var field: String
    public var oldValue: String
    public var newValue: String
}

public struct WritebackRow: Equatable, Sendable, FetchableRecord, Decodable {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public var succeeded: Bool
    public var message: String
    public var attemptedAt: Date
}

/// The administration's entry settings.
public struct AdministrationSettings: Equatable, Sendable {
    public var periodRule: FinancialPeriodRule
    public var markProcessedInLoket: Bool

    public init(periodRule: FinancialPeriodRule = .calendarMonth, markProcessedInLoket: Bool = true) {
        self.periodRule = periodRule
        self.markProcessedInLoket = markProcessedInLoket
    }
}

extension EntryLineRow {
    /// Read by position (the SELECT in `lines`): a draft page reads hundreds of lines, and
    /// Codable with snake-case conversion cost more than the query.
    public init(row: Row) throws {
        self.id = row[0]
        self.position = row[1]
        self.accountId = row[2]
        self.accountNumber = row[3]
        self.accountName = row[4]
        self.accountActive = row[5]
        self.description = row[6]
        self.costCenter = row[7]
        self.costUnit = row[8]
        self.debitCents = row[9]
        self.creditCents = row[10]
        self.originalAccountCode = row[11]
        self.originalAccountDescription = row[12]
        self.originalCostCenter = row[13]
        self.originalCostUnit = row[14]
        self.originalComponent = row[15]
        self.originalDebitCents = row[16]
        self.originalCreditCents = row[17]
    }
}
