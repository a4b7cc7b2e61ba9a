import Storage

/// One chart (or mappings) for many administrations at once.
struct ChartsPage: Sendable {
    struct Target: Sendable {
        let id: AdministrationID
        let code: String
        let name: String
        let accounts: String
        let hasNoAccounts: Bool
        let unknown: Int
        let hasUnknown: Bool
        let ticked: Bool
    }
    struct Option: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }
    let layout: Layout
    let targets: [Target]
    let hasTargets: Bool
    let sources: [Option]
    let defaultChoices: [Option]
    let mappingSources: [Option]
    let encodings: [Option]
    let problems: [String]
}

/// Every unknown Loket account of one administration's drafts, settled in one submit.
struct UnknownAccountsPage: Sendable {
    struct Row: Sendable {
        let index: Int
        let code: String
        let description: String
        let usage: String
        let createLabel: String
        let canCreate: Bool
        let proposeCreate: Bool
        let proposeMap: Bool
        let accountValue: String
        let typeBalance: Bool
        let warning: String?
        let error: String?
    }
    let layout: Layout
    let administrationId: AdministrationID
    let rows: [Row]
    let hasRows: Bool
    let rowCount: Int
    let accountChoices: [String]
    let problems: [String]
}

extension ChartsPage: ViewModel {}
extension ChartsPage.Target: ViewModel {}
extension ChartsPage.Option: ViewModel {}
extension UnknownAccountsPage: ViewModel {}
extension UnknownAccountsPage.Row: ViewModel {}
