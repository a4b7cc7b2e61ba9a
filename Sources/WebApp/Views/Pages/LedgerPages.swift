import Storage

/// The booked journal, filtered and paged, with the export downloads.
struct LedgerPage: Sendable {
    struct Line: Sendable {
        let entryId: EntryID
        let entryLink: Route
        let number: String
        let date: String
        let period: Int
        let accountId: Int64
        let accountLink: Route
        let account: String
        let description: String
        let costCenter: String
        let debit: String
        let credit: String
    }
    struct Option: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }
    struct Export: Sendable {
        let format: String
        let label: String
    }
    let layout: Layout
    let administrationId: AdministrationID
    let year: Int
    let years: [Option]
    let periods: [Option]
    let accounts: [Option]
    let sources: [Option]
    let lines: [Line]
    let hasLines: Bool
    let debitTotal: String
    let creditTotal: String
    let balanced: Bool
    let pageText: String
    let previousPage: String?
    let nextPage: String?
    let exports: [Export]
    let exportProblem: String?
}

/// One account's booked lines with the running balance.
struct AccountCardPage: Sendable {
    struct Line: Sendable {
        let entryId: EntryID
        let entryLink: Route
        let number: String
        let date: String
        let period: Int
        let description: String
        let debit: String
        let credit: String
        let balance: String
    }
    let layout: Layout
    let administrationId: AdministrationID
    let year: Int
    let account: String
    let lines: [Line]
    let debitTotal: String
    let creditTotal: String
    let balance: String
    let pageText: String
    let previousPage: String?
    let nextPage: String?
}

/// The trial balance of a period and year to date.
struct TrialBalancePage: Sendable {
    struct Row: Sendable {
        let accountId: Int64
        /// The account card of the year (with `?jaar=`).
        let cardLink: String
        let number: String
        let name: String
        let type: String
        let debit: String
        let credit: String
        let debitToDate: String
        let creditToDate: String
        let balanceDebit: String
        let balanceCredit: String
    }
    struct Amounts: Sendable {
        let label: String
        let debit: String
        let credit: String
        let debitToDate: String
        let creditToDate: String
        let balanceDebit: String
        let balanceCredit: String
    }
    struct Section: Sendable {
        let title: String
        /// The account rows (`TrialBalanceRowsHTML`).
        let rowsHTML: SafeHTML
        let subtotal: Amounts
    }
    let layout: Layout
    let administrationId: AdministrationID
    let year: Int
    let period: String
    let periodLabel: String
    let periods: [LedgerPage.Option]
    let sections: [Section]
    let hasRows: Bool
    let total: Amounts
    let periodResult: String
    let resultToDate: String
    let reconciles: Bool
    let csvLink: String
}

/// Periods of a year: close and reopen.
struct PeriodsPage: Sendable {
    struct Row: Sendable {
        let period: Int
        let name: String
        let closed: Bool
        let closedAt: String?
        let entries: Int
        let close: Route
        let reopen: Route
    }
    let layout: Layout
    let administrationId: AdministrationID
    let year: Int
    let rows: [Row]
    let error: String?
}

/// Upload and column mapping of a payroll journal file.
struct PayrollFilePage: Sendable {
    struct Option: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }
    struct Column: Sendable {
        let index: Int
        let header: String
        let roles: [Option]
    }
    struct Row: Sendable {
        let line: Int
        let cells: [String]
    }
    let layout: Layout
    let administrationId: AdministrationID
    let problems: [String]
    let hasUpload: Bool
    let token: String
    let fileName: String
    let columns: [Column]
    let preview: [Row]
    let rowCount: Int
    let entryDate: String
    let period: String
    let description: String
    /// The entry this file was imported as before, if it was.
    let existingEntry: Route?
    let encodings: [Option]
}
