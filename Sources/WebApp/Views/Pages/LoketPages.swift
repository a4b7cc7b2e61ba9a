import Storage

/// The Loket connections and the form for a new one.
struct LoketPage: Sendable {
    struct Connection: Sendable {
        let id: ConnectionID
        let name: String
        let environment: String
        let clientId: String
        let statusText: String
        let statusClass: String
        let validUntil: String?
        let lastRefresh: String?
        let lastError: String?
        let companiesFetched: String?
        let canConnect: Bool
        let canDisconnect: Bool
        let isConnected: Bool
        let usesPaste: Bool
        let connectLabel: String
    }
    struct EnvironmentOption: Sendable {
        let value: String
        let label: String
        let checked: Bool
    }
    let layout: Layout
    let connections: [Connection]
    let errors: [String]
    let name: FieldView
    let environments: [EnvironmentOption]
    let authURL: FieldView
    let apiURL: FieldView
    let clientId: FieldView
    let clientSecretError: String?
    let externalRedirectURI: FieldView
    let simulatorHint: String
    let callbackURL: String
}

/// The paste fallback: Loket sends the browser to an address that is not ours.
struct LoketPastePage: Sendable {
    let layout: Layout
    let connectionId: ConnectionID
    let connectionName: String
    let redirectURI: String
    let error: String?
}

/// The result of a login attempt that did not succeed (or needs one more step).
struct LoketLoginProblemPage: Sendable {
    let layout: Layout
    let title: String
    let message: String
    let connectionId: ConnectionID?
    let cancelled: Bool
}

/// Sends a browser that arrived without our cookie (cross-site redirect) on once, same-site.
struct OAuthContinuePage: Sendable {
    let layout: Layout
    let continueURL: String
}

/// Employers and payroll administrations of one connection, with their links.
struct CompanyListPage: Sendable {
    struct Employer: Sendable {
        let name: String
        let number: String?
        let kvk: String?
        let error: String?
        let administrations: [Administration]
        let hasNoAdministrations: Bool
    }
    struct Administration: Sendable {
        let payrollAdministrationId: String
        let name: String
        let clientNumber: String
        let periodType: String
        let hasJournalProfile: Bool
        let journalProfile: String?
        let automatic: Bool
        let error: String?
        let isLinked: Bool
        let linkedElsewhere: Bool
        let linkId: Int64
        let unlink: Route
        /// The administration it was linked to before, proposed when linking again.
        let former: Choice?
        let administrationId: AdministrationID
        let administrationCode: String
        let administrationName: String
    }
    struct Choice: Sendable {
        let id: AdministrationID
        let label: String
    }
    let layout: Layout
    let connectionId: ConnectionID
    let connectionName: String
    let statusText: String
    let needsReconnect: Bool
    let fetchedAt: String?
    let neverFetched: Bool
    let employers: [Employer]
    let unlinkedCount: Int
    let hasUnlinked: Bool
    let linkedCount: Int
    let choices: [Choice]
    let totalAdministrations: Int
}

/// "Really unlink?" without JavaScript.
struct UnlinkConfirmPage: Sendable {
    let layout: Layout
    let linkId: Int64
    let unlink: Route
    let employerName: String
    let payrollAdministrationName: String
    let administrationCode: String
    let administrationName: String
    let returnTo: String
}
