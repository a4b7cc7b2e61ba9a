import Storage

/// The journal runs of a linked administration.
struct RunsPage: Sendable {
    struct Row: Sendable {
        let id: String
        let sequence: Int
        let period: String
        let dates: String
        let loketStatus: String
        let state: String
        let stateClass: String
        let reason: String?
        let importable: Bool
        let isDifference: Bool
        /// The entry made from this run, if any.
        let entry: Route?
        let canImportAgain: Bool
    }
    let layout: Layout
    let administrationId: AdministrationID
    let linkText: String
    let rows: [Row]
    let hasImportable: Bool
    let importableCount: Int
    let noJournalProfile: Bool
    let noRunsYet: Bool
    let automatic: Bool
    let error: String?
}

/// A draft (editable) or booked (read-only) entry.
struct EntryPage: Sendable {
    struct Line: Sendable {
        let index: Int
        let lineId: String
        /// The account as "number name" (or what was typed, when it matched none).
        let accountValue: String
        let accountLabel: String
        let unmapped: Bool
        let inactive: Bool
        let description: String
        let costCenter: String
        let costUnit: String
        let debit: String
        let credit: String
        let debitError: String?
        let creditError: String?
        let accountError: String?
        let loket: String?
        let changed: Bool
        let isEmptyRow: Bool
        /// Fingerprint of the stored line (merging two tabs).
        let base: String
        let removed: Bool
    }
    struct Option: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }
    struct Unmapped: Sendable {
        let code: String
        let description: String
        let accounts: [Option]
        /// The proposed type of a new account with this number (0–3 balance, 4–9 P&L).
        let balance: Bool
        /// An account with this number exists here under another name.
        let numberExists: Bool
        let localName: String?
    }
    struct HistoryRow: Sendable {
        let when: String
        let field: String
        let old: String
        let new: String
    }
    let layout: Layout
    let administrationId: AdministrationID
    let entryId: EntryID
    let paths: EntryPaths
    let isDraft: Bool
    let isBooked: Bool
    let number: String?
    let version: Int
    let description: String
    let entryDate: String
    let period: String
    let headerErrors: [String]
    let dateError: String?
    let periodError: String?
    let descriptionError: String?
    let problems: [String]
    /// The only problem is the order of a recalculation and its original: the user may choose.
    let offerBookAnyway: Bool
    /// Fields two tabs changed differently (this tab's value is in the form).
    let conflicts: [Conflict]
    /// The stored header, carried as the base of a later merge.
    let baseDescription: String
    let baseEntryDate: String
    let basePeriod: String
    /// The rows of the lines table (`EntryLinesHTML`, escaped).
    let linesHTML: SafeHTML
    /// "number name" of every active account: one list the account fields of all lines share.
    let accountChoices: [String]
    let lineCount: Int
    /// How many stored lines the form carries (a merge refuses a form that lost some).
    let baseLineCount: Int
    let debitTotal: String
    let creditTotal: String
    let difference: String
    let isBalanced: Bool
    let shortfall: String?
    let loketDebit: String?
    let loketCredit: String?
    let loketDiffers: Bool
    let sourceText: String
    /// "Loket" or "Bestand": where the original values came from.
    let originalPrefix: String
    let originalTotalsLabel: String
    let isDifferenceEntry: Bool
    let unmapped: [Unmapped]
    let history: [HistoryRow]
    let reversedBy: EntryLink?
    let reverses: EntryLink?
    let canReverse: Bool
    /// Where the reversal goes when the entry's own period is closed.
    let reversalProposal: ReversalProposal?
    let writeback: String?
    let writebackFailed: Bool
    let canImportAgain: Bool
    let sourceReference: String
    let conflict: Bool
    /// The loonaangifte check of the entry's payroll period, when it has one.
    let wageTaxCheck: EntryWageTaxCheck?
    /// The attachments (Loket's documents and the user's own).
    let evidence: EvidenceSection
    /// Typing kept from a post after the session had ended.
    let rescued: Rescued?

    struct Rescued: Sendable {
        let when: String
        let link: String
    }

    struct Conflict: Sendable {
        let key: String
        let label: String
        let mine: String
        let theirs: String
        let choosable: Bool
    }
    struct ReversalProposal: Sendable {
        let period: String
        let date: String
        let text: String
    }
    struct EntryLink: Sendable {
        let id: EntryID
        let link: Route
        let label: String
    }
}

/// The remembered Loket code → account mappings of an administration.
struct MappingsPage: Sendable {
    struct Row: Sendable {
        let code: String
        let accounts: [EntryPage.Option]
    }
    let layout: Layout
    let administrationId: AdministrationID
    let rows: [Row]
    let periodRules: [EntryPage.Option]
    let markProcessed: Bool
    let wageTax: WageTaxSection
}

/// Which accounts carry the loonheffing (for the check against the loonaangifte).
struct WageTaxSection: Sendable {
    let confirmed: Bool
    /// In words: the confirmed accounts, or the proposal from the chart, or that none was found.
    let stateText: String
    /// Balance accounts; the chosen (or proposed) ones selected.
    let accounts: [EntryPage.Option]
    /// Every active account, with "none" first.
    let roundingAccounts: [EntryPage.Option]
    /// Other administrations, to copy the setting to.
    let others: [EntryPage.Option]
}

/// The entries of an administration (journal view for now: drafts and booked).
struct EntriesPage: Sendable {
    struct Row: Sendable {
        let id: EntryID
        let link: Route
        let number: String
        let date: String
        let period: String
        let description: String
        let status: String
        let statusClass: String
        let debit: String
        let unknown: String?
    }
    let layout: Layout
    let administrationId: AdministrationID
    let rows: [Row]
    let hasRows: Bool
    let isFiltered: Bool
    let search: String
    let statuses: [LedgerPage.Option]
    let years: [LedgerPage.Option]
    let periods: [LedgerPage.Option]
    let countText: String
    let previousPage: String?
    let nextPage: String?
}

/// The loonaangifte check beside a draft or booked entry: the period's loonheffing in the
/// journal against Loket's tax return, the likely cause of a difference, and the payable.
struct EntryWageTaxCheck: Sendable {
    let periodName: String
    /// Loonheffing on the wage-tax accounts in this entry.
    let entryAmount: String
    /// In every entry of the period (drafts and booked).
    let journalAmount: String
    let entries: Int
    let accountsText: String
    let settingsLink: Route
    let hasReturn: Bool
    let returnStatus: String
    let returnAmount: String
    let correction: String?
    let totalDue: String
    let deadline: String?
    let paymentReference: String?
    let iban: String?
    let inTheNameOf: String?
    let wageTaxNumber: String?
    let difference: String
    let inOrder: Bool
    let explanation: String
    let isRounding: Bool
    let roundingLink: Route
    let roundingAccounts: [EntryPage.Option]
}
