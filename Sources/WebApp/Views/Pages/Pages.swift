import Ledger
import Storage

/// Shown when a page is opened without a session.
struct SignInRequiredPage: Sendable {
    let layout: Layout
}

/// Any error, in Dutch.
struct ErrorPage: Sendable {
    let layout: Layout
    let status: Int
    let message: String
}

/// The start page: administrations, and what to do next.
struct DashboardPage: Sendable {
    struct Row: Sendable {
        let id: AdministrationID
        let code: String
        let name: String
        let fiscalYear: Int
        let accounts: String
        let hasNoAccounts: Bool
        let loketLink: String?
        let drafts: Int
        let hasDrafts: Bool
    }
    struct Connection: Sendable {
        let id: ConnectionID
        let name: String
        let statusText: String
        let statusClass: String
        let needsAttention: Bool
    }
    let layout: Layout
    /// One page of them (50), by code.
    let administrations: [Row]
    /// Those rows as table rows (`DashboardRowsHTML`, escaped).
    let rowsHTML: SafeHTML
    /// How many there are (matching the search) in all.
    let administrationCount: String
    /// False only when there is no administration at all (the welcome).
    let hasAdministrations: Bool
    let search: String
    let searching: Bool
    let pageText: String
    let previousPage: String?
    let nextPage: String?
    let connections: [Connection]
    let linkCount: Int
    let hasLinks: Bool
    /// The running bulk sync in words, if one runs.
    let syncRunning: String?
    /// The last finished bulk sync in words.
    let lastSync: String?
    let lastSyncFailed: Bool
}

/// The list of administrations.
struct AdministrationListPage: Sendable {
    let layout: Layout
    let administrations: [DashboardPage.Row]
}

/// Create or edit an administration.
struct AdministrationFormPage: Sendable {
    let layout: Layout
    let isNew: Bool
    let action: String
    let errors: [String]
    let code: FieldView
    let name: FieldView
    let fiscalYear: FieldView
    let chamberOfCommerceNumber: FieldView
    let vatNumber: FieldView
    let rsin: FieldView
    let street: FieldView
    let postalCode: FieldView
    let city: FieldView
    let country: FieldView

    init(layout: Layout, isNew: Bool, action: String, input: AdministrationInput, errors: ValidationErrors?) {
        self.layout = layout
        self.isNew = isNew
        self.action = action
        self.errors = errors?.errors.map(\.message) ?? []
        self.code = FieldView(input.code, errors, "code")
        self.name = FieldView(input.name, errors, "name")
        self.fiscalYear = FieldView(input.fiscalYear, errors, "fiscalYear")
        self.chamberOfCommerceNumber = FieldView(input.chamberOfCommerceNumber, errors, "chamberOfCommerceNumber")
        self.vatNumber = FieldView(input.vatNumber, errors, "vatNumber")
        self.rsin = FieldView(input.rsin, errors, "rsin")
        self.street = FieldView(input.street, errors, "street")
        self.postalCode = FieldView(input.postalCode, errors, "postalCode")
        self.city = FieldView(input.city, errors, "city")
        self.country = FieldView(input.country, errors, "country")
    }
}

/// One administration: company data, chart status, recent changes.
struct AdministrationPage: Sendable {
    struct Fact: Sendable {
        let label: String
        let value: String
        let missing: Bool
    }
    struct AuditRow: Sendable {
        let when: String
        let subject: String
        let action: String
        let details: String
    }
    let layout: Layout
    let id: AdministrationID
    let code: String
    let name: String
    let facts: [Fact]
    let accountCount: String
    let hasNoAccounts: Bool
    let audit: [AuditRow]
}

/// The chart of accounts with the forms to add, import and load the starter chart.
struct AccountsPage: Sendable {
    struct Row: Sendable {
        let id: Int64
        let link: Route
        let number: String
        let name: String
        let typeLabel: String
        let typeCode: String
        let rgsCode: String
        let isActive: Bool
    }
    let layout: Layout
    let administrationId: AdministrationID
    let accounts: [Row]
    let accountCount: String
    let activeCount: String
    let hasNoAccounts: Bool
    let starterCount: Int
    let starterMissing: Bool
    // Add-account form
    let addErrors: [String]
    let number: FieldView
    let name: FieldView
    let typeBalance: Bool
    let typeProfitAndLoss: Bool
    let typeError: String?
    let rgsCode: FieldView
    // Import form
    let importProblems: [String]
    let encodings: [EncodingOption]

    struct EncodingOption: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }
}

/// Edit one account.
struct AccountFormPage: Sendable {
    let layout: Layout
    let administrationId: AdministrationID
    let accountId: Int64
    let paths: AccountPaths
    let isActive: Bool
    let errors: [String]
    let number: FieldView
    let name: FieldView
    let typeBalance: Bool
    let typeProfitAndLoss: Bool
    let typeError: String?
    let rgsCode: FieldView
}

/// "Alles bijwerken": progress of the running bulk sync, or the summary of the last one.
struct SyncPage: Sendable {
    /// A Loket connection that must be connected again before a retry can work.
    struct DeadConnection: Sendable {
        let id: ConnectionID
        let name: String
    }
    struct Progress: Sendable {
        let total: Int
        let done: Int
        let percent: Int
        let runsImported: Int
        let failed: Int
        let text: String
        let cancelling: Bool
        let activeText: String
        let failures: [ResultRow]
    }
    struct ResultRow: Sendable {
        let administrationId: AdministrationID
        let code: String
        let name: String
        let imported: Int
        let outcome: String
        let failed: Bool
        let hasDrafts: Bool
    }
    struct Summary: Sendable {
        let outcome: String
        let succeeded: Bool
        let started: String
        let duration: String
        let origin: String
        let administrations: String
        let runsImported: String
        let failed: String
        let canRetry: Bool
        let results: [ResultRow]
    }
    struct HistoryRow: Sendable {
        let started: String
        let origin: String
        let administrations: String
        let runsImported: String
        let outcome: String
        let failed: Bool
    }
    let layout: Layout
    let linkCount: String
    let hasLinks: Bool
    let progress: Progress?
    let summary: Summary?
    let history: [HistoryRow]
    let deadConnections: [DeadConnection]
    let concurrency: String
}
