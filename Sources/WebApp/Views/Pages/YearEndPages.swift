import Storage

/// The jaaraansluiting lonen of one administration, and the summary of all.
struct YearEndPage: Sendable {
    struct Explanation: Sendable {
        let cause: String
        let causeKey: String
        let text: String
        let amount: String
        /// "Loket" or "aangifte": which difference it explains.
        let against: String
        let link: Route?
    }
    struct Row: Sendable {
        let account: String
        let name: String
        let isWageTax: Bool
        let ledger: String
        let loket: String
        let loketDifference: String
        let loketDiffers: Bool
        let taxReturns: String
        let taxDifference: String
        let taxDiffers: Bool
        let hasTax: Bool
        let reconciles: Bool
        let explanations: [Explanation]
    }
    struct YearOption: Sendable {
        let value: String
        let selected: Bool
    }
    let layout: Layout
    let administrationId: AdministrationID
    let year: String
    let name: String
    let code: String
    let years: [YearOption]
    let rows: [Row]
    let hasRows: Bool
    let reconciles: Bool
    let differenceCount: Int
    let loketFetched: Bool
    let taxReturnsFetched: Bool
    let refreshedText: String?
    let problem: String?
    let taxReturnsRefused: String?
    let wageTaxConfirmed: Bool
    let linked: Bool
    let csvLink: String
    let evidenceLink: String
    let settingsLink: Route
}

struct YearEndSummaryPage: Sendable {
    struct Row: Sendable {
        let code: String
        let name: String
        let link: String
        let state: String
        let stateKey: String
        let differences: Int
        let difference: String
        let refreshed: String
        let problem: String?
    }
    let layout: Layout
    let year: String
    let years: [YearEndPage.YearOption]
    let filters: [MonthEndPage.FilterLink]
    let rows: [Row]
    let hasLinks: Bool
    let reconcileCount: String
    let totalCount: String
    let csvLink: String
}
