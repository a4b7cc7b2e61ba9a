import Storage

/// The month-end overview: every linked administration for one payroll period.
struct MonthEndPage: Sendable {
    struct Row: Sendable {
        let id: AdministrationID
        let code: String
        let name: String
        /// The period's dates as Loket gave them (a 4-weekly period has its own).
        let periodDates: String
        let payrollStatus: String
        let journal: String
        /// "geboekt", "concept", "niet geïmporteerd".
        let bookkeeping: String
        let taxReturnStatus: String
        let taxReturnAmount: String
        let correction: String
        let totalDue: String
        let deadline: String
        let paymentReference: String
        let journalWageTax: String
        let difference: String
        let check: String
        /// `balanced`, `unbalanced` or `muted`.
        let checkClass: String
        let needsAction: Bool
        let canStartJournal: Bool
        let hasDrafts: Bool
        let gaps: [String]
    }
    struct Option: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }
    struct FilterLink: Sendable {
        let label: String
        let link: String
        let current: Bool
        let id: String
    }
    let layout: Layout
    let period: String
    let periodName: String
    let periodOptions: [Option]
    let previousLink: String?
    let nextLink: String?
    let filter: String
    let filters: [FilterLink]
    /// The rows shown (after the filter), written by `MonthEndRowsHTML`.
    let rowsHTML: SafeHTML
    let shownCount: Int
    let totalCount: String
    let actionCount: String
    let inOrderCount: String
    let allInOrder: Bool
    let hasLinks: Bool
    let totalDue: String
    let dueCount: String
    let earliestDeadline: String?
    let refreshedText: String?
    let neverRefreshed: Bool
    let csvLink: String
    let canStartAny: Bool
    let error: String?
}

/// Confirmation before journal runs are started in Loket (when the browser did not ask already).
struct StartJournalsConfirmPage: Sendable {
    struct Item: Sendable {
        /// The administration id, for the hidden field.
        let value: String
        let code: String
        let name: String
    }
    let layout: Layout
    let period: String
    let periodName: String
    let items: [Item]
    let returnTo: String
}
