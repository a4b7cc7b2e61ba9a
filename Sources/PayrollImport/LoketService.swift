import Foundation
import Ledger
import LoketClient
import Storage
import Synchronization

/// The Loket use cases: register a connection, log in (state + PKCE), keep tokens fresh, fetch
/// the company list, disconnect. Pages call these; these call the Loket client and the database.
public final class LoketService: Sendable {
    public let database: AppDatabase
    public let tokenStore: any TokenStore
    public let transport: any LoketHTTPTransport
    let now: @Sendable () -> Date
    let retry: RetryPolicy
    let timeout: Duration
    let pendingLifetime: TimeInterval
    private let sessions = Mutex<[ConnectionID: LoketSession]>([:])
    private let pending = Mutex<[String: PendingAuthorization]>([:])
    /// Where Loket sends the browser back to on our own server.
    public static let callbackPath = "/oauth/callback"

    public init(
        database: AppDatabase,
        tokenStore: any TokenStore,
        transport: any LoketHTTPTransport,
        retry: RetryPolicy = RetryPolicy(),
        timeout: Duration = .seconds(30),
        pendingLifetime: TimeInterval = 600,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = database
        self.tokenStore = tokenStore
        self.transport = transport
        self.retry = retry
        self.timeout = timeout
        self.pendingLifetime = pendingLifetime
        self.now = now
    }

    // MARK: - Connections

    /// What the connect form asks.
    public struct ConnectionInput: Sendable {
        public var name: String
        public var environment: ConnectionKind
        public var authURL: String
        public var apiURL: String
        public var clientId: String
        public var clientSecret: String
        public var externalRedirectURI: String

        public init(
            name: String, environment: ConnectionKind, authURL: String, apiURL: String, clientId: String, clientSecret: String,
            externalRedirectURI: String
        ) {
            self.name = name
            self.environment = environment
            self.authURL = authURL
            self.apiURL = apiURL
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.externalRedirectURI = externalRedirectURI
        }
    }

    /// Checks the form, stores the connection and (in the credentials file) its secret.
    public func createConnection(_ input: ConnectionInput, simulatorURL: String) async throws -> LoketConnectionRecord {
        var errors = ValidationCollector()
        let name = input.name.trimmedForInput
        if name.isEmpty {
            errors.add("name", "Geef de verbinding een naam van 1 tot 100 tekens, bijvoorbeeld \u{2018}Loket kantoor\u{2019}.")
        } else if let problem = TextRules.lineProblem(name, max: 100, what: "De naam") {
            errors.add("name", problem)
        }
        var authURL = input.authURL
        var apiURL = input.apiURL
        if input.environment != .custom {
            (authURL, apiURL) = LoketEnvironment.preset(input.environment.client, simulatorURL: simulatorURL)
        }
        authURL = LoketEnvironment.trimSlash(authURL)
        apiURL = LoketEnvironment.trimSlash(apiURL)
        if !LoketEnvironment.validateBaseURL(authURL) {
            errors.add("authURL", "Vul het adres van de aanmeldserver in, bijvoorbeeld https://oauth.loket.nl (http alleen voor 127.0.0.1).")
        }
        if !LoketEnvironment.validateBaseURL(apiURL) {
            errors.add("apiURL", "Vul het adres van de API in, bijvoorbeeld https://api.loket.nl (http alleen voor 127.0.0.1).")
        }
        let clientId = input.clientId.trimmedForInput
        if clientId.isEmpty || TextRules.length(clientId) > 200 || clientId.contains(where: { $0.isWhitespace }) || TextRules.forbiddenScalar(clientId) != nil {
            errors.add("clientId", "Vul de client-id in die u van Loket kreeg (zonder spaties).")
        }
        let secret = input.clientSecret.trimmedForInput
        if TextRules.length(secret) > 500 { errors.add("clientSecret", "Het clientgeheim is te lang.") }
        if TextRules.forbiddenScalar(secret) != nil { errors.add("clientSecret", "Het clientgeheim bevat een onzichtbaar of ongeldig teken.") }
        let external = input.externalRedirectURI.trimmedForInput
        if !external.isEmpty {
            let components = URLComponents(string: external)
            if components?.host == nil || !["http", "https"].contains(components?.scheme ?? "") {
                errors.add("externalRedirectURI", "Vul het volledige terugstuuradres in zoals bij Loket geregistreerd (https://…), of laat het leeg.")
            }
        }
        try errors.throwIfAny()
        let record = try self.database.createConnection(
            name: name, environment: input.environment.rawValue, authURL: authURL, apiURL: apiURL, clientId: clientId,
            externalRedirectURI: external.isEmpty ? nil : external, at: self.now()
        )
        try await self.tokenStore.save(LoketCredentials(clientSecret: secret.isEmpty ? nil : secret), for: record.id!.rawValue)
        return record
    }

    func environment(of connection: LoketConnectionRecord) -> LoketEnvironment {
        LoketEnvironment(
            kind: LoketEnvironment.Kind(rawValue: connection.environment) ?? .custom,
            authURL: connection.authUrl, apiURL: connection.apiUrl, clientId: connection.clientId,
            externalRedirectURI: connection.externalRedirectUri
        )
    }

    /// The one token keeper per connection (so refreshes are shared by all callers).
    public func session(for connection: LoketConnectionRecord) -> LoketSession {
        let id = connection.id!
        return self.sessions.withLock { sessions in
            if let existing = sessions[id] { return existing }
            let database = self.database
            let now = self.now
            let session = LoketSession(
                connectionId: id.rawValue,
                tokenClient: TokenClient(environment: self.environment(of: connection), transport: self.transport, timeout: self.timeout),
                store: self.tokenStore,
                now: now
            ) { event in
                switch event {
                case .refreshed(let expiresAt): try? database.recordTokenRefresh(id: id, accessTokenExpiresAt: expiresAt, at: now())
                case .reconnectNeeded(let reason): try? database.markReconnectNeeded(id: id, reason: reason, at: now())
                }
            }
            sessions[id] = session
            return session
        }
    }

    /// The `/v2` client of a connection.
    public func apiClient(connectionId: ConnectionID) throws -> LoketAPIClient {
        guard let connection = try self.database.connection(id: connectionId) else { throw StorageError.connectionNotFound }
        return LoketAPIClient(apiURL: connection.apiUrl, session: self.session(for: connection), transport: self.transport, retry: self.retry, timeout: self.timeout)
    }

    // MARK: - Login

    struct PendingAuthorization {
        let connectionId: ConnectionID
        let browserSession: String
        let pkce: PKCE
        let redirectURI: String
        let expiresAt: Date
    }

    /// Starts a login: a fresh 256-bit `state` bound to this browser session, PKCE, the URL to send
    /// the browser to. The redirect URI is our loopback callback unless the client is registered
    /// with an external one.
    public func beginLogin(connectionId: ConnectionID, browserSession: String, loopbackOrigin: String) throws -> String {
        guard let connection = try self.database.connection(id: connectionId) else { throw StorageError.connectionNotFound }
        let environment = self.environment(of: connection)
        let redirectURI = connection.externalRedirectUri ?? loopbackOrigin + Self.callbackPath
        let state = OAuthRandom.token()
        let pkce = PKCE()
        let now = self.now()
        self.pending.withLock { pending in
            pending = pending.filter { $0.value.expiresAt > now }
            pending[state] = PendingAuthorization(
                connectionId: connectionId, browserSession: browserSession, pkce: pkce, redirectURI: redirectURI,
                expiresAt: now.addingTimeInterval(self.pendingLifetime)
            )
        }
        return authorizeURL(environment: environment, redirectURI: redirectURI, state: state, pkce: pkce)
    }

    /// Why a login could not be finished, in Dutch.
    public enum LoginError: Error, Equatable {
        case stateMissing
        case stateUnknown
        case stateExpired
        case otherBrowser
        case cancelled
        case refused(String)
        case codeMissing
        /// The code could not be exchanged for tokens (the Dutch reason).
        case token(String)

        public var explanation: String {
            switch self {
            case .stateMissing:
                "Het antwoord van Loket mist de controlewaarde (state). Uit veiligheid is er niets mee gedaan; probeer opnieuw te verbinden."
            case .stateUnknown:
                "Dit antwoord van Loket hoort niet bij een aanmelding die hier is gestart, of is al gebruikt. Uit veiligheid is er niets mee gedaan; probeer opnieuw te verbinden."
            case .stateExpired:
                "De aanmelding bij Loket duurde te lang (meer dan 10 minuten). Probeer opnieuw te verbinden."
            case .otherBrowser:
                "Deze aanmelding is in een ander browservenster gestart. Start het verbinden opnieuw vanuit dit venster."
            case .cancelled:
                "U heeft de aanmelding bij Loket geannuleerd. Er is niets veranderd."
            case .refused(let error):
                "Loket heeft de aanmelding niet toegestaan (\(error)). Probeer het opnieuw, of vraag de beheerder van de Loket-koppeling om hulp."
            case .codeMissing:
                "Het antwoord van Loket bevat geen aanmeldcode. Probeer opnieuw te verbinden."
            case .token(let explanation):
                explanation
            }
        }
    }

    /// Finishes a login: the `state` is checked (known, unused, unexpired, same browser session)
    /// before any token request; then the code is exchanged with the PKCE verifier and the tokens
    /// are stored. Returns the connection id.
    public func completeLogin(_ reply: LoginReply, browserSession: String) async throws(LoginError) -> ConnectionID {
        let response = AuthorizationResponse(code: reply.code, state: reply.state, error: reply.error, errorDescription: reply.errorDescription)
        guard let state = response.state else { throw .stateMissing }
        let now = self.now()
        let found: PendingAuthorization? = self.pending.withLock { pending in
            // Single use: whatever happens next, this state is spent.
            pending.removeValue(forKey: state)
        }
        guard let found else { throw .stateUnknown }
        guard found.expiresAt > now else { throw .stateExpired }
        guard found.browserSession == browserSession else { throw .otherBrowser }
        if let error = response.error {
            if error == "access_denied" { throw .cancelled }
            throw .refused(error)
        }
        guard let code = response.code else { throw .codeMissing }
        do {
            guard let connection = try self.database.connection(id: found.connectionId) else { throw LoketError.notConnected }
            let secret = try await self.tokenStore.credentials(for: found.connectionId.rawValue)?.clientSecret
            let client = TokenClient(environment: self.environment(of: connection), transport: self.transport, timeout: self.timeout)
            let tokens = try await client.exchange(code: code, redirectURI: found.redirectURI, verifier: found.pkce.verifier, clientSecret: secret)
            try await self.session(for: connection).begin(with: tokens, clientSecret: secret)
            try self.database.markConnected(
                id: found.connectionId,
                accessTokenExpiresAt: self.now().addingTimeInterval(TimeInterval(tokens.expiresIn)),
                at: self.now()
            )
            return found.connectionId
        } catch let error as LoketError {
            try? self.database.recordConnectionError(id: found.connectionId, error.explanation, at: self.now())
            throw .token(error.explanation)
        } catch {
            throw .token(LoketError.unreachable(endpoint: "POST /token").explanation)
        }
    }

    /// Forgets the tokens (the client secret stays for the next login); links and drafts stay.
    public func disconnect(connectionId: ConnectionID) async throws {
        if let credentials = try await self.tokenStore.credentials(for: connectionId.rawValue) {
            try await self.tokenStore.save(credentials.withoutTokens, for: connectionId.rawValue)
        }
        try self.database.markDisconnected(id: connectionId, at: self.now())
    }

    /// True when the connection has a refresh or access token stored.
    public func hasTokens(connectionId: ConnectionID) async -> Bool {
        guard let credentials = try? await self.tokenStore.credentials(for: connectionId.rawValue) else { return false }
        return credentials.refreshToken != nil || credentials.accessToken != nil
    }

    // MARK: - Company list

    public struct CompanyFetchSummary: Sendable, Equatable {
        public var employers: Int
        public var payrollAdministrations: Int
        public var employersWithoutAccess: Int
    }

    /// Fetches every employer (all pages), its payroll administrations and their journal
    /// configurations, then replaces the cached list in one transaction. Any failure other than a
    /// per-employer 403 stores nothing.
    public func refreshCompanyList(connectionId: ConnectionID, concurrency: Int = 4) async throws -> CompanyFetchSummary {
        do {
            let client = try self.apiClient(connectionId: connectionId)
            let employers = try await client.employers()
            var results: [(Int, CachedEmployer, [CachedPayrollAdministration])] = []
            try await withThrowingTaskGroup(of: (Int, CachedEmployer, [CachedPayrollAdministration]).self) { group in
                for (index, employer) in employers.enumerated() {
                    if index >= max(concurrency, 1), let done = try await group.next() { results.append(done) }
                    group.addTask {
                        let (cached, admins) = try await Self.fetchEmployer(employer, client: client)
                        return (index, cached, admins)
                    }
                }
                while let done = try await group.next() { results.append(done) }
            }
            results.sort { $0.0 < $1.0 }
            let cachedEmployers = results.map(\.1)
            let cachedAdministrations = results.flatMap(\.2)
            try self.database.replaceCompanyList(
                connectionId: connectionId, employers: cachedEmployers, administrations: cachedAdministrations, at: self.now()
            )
            return CompanyFetchSummary(
                employers: cachedEmployers.count,
                payrollAdministrations: cachedAdministrations.count,
                employersWithoutAccess: cachedEmployers.filter { $0.error != nil }.count
            )
        } catch let error as LoketError {
            try? self.database.recordConnectionError(id: connectionId, error.explanation, at: self.now())
            throw LoketProblem(explanation: error.explanation)
        }
    }

    /// An employer Loket shows but whose payroll administrations this Loket user may not read:
    /// what is missing, in the words of Loket's own screens (no status code, no address).
    static let noRightsExplanation =
        "Uw Loket-gebruiker mag de loonadministraties van deze werkgever niet inzien. Nodig: toegang tot deze werkgever met de rechten "
        + "\u{201C}Raadplegen journaaloutput\u{201D} en \u{201C}Exporteren journaalrun\u{201D}, en voor de werkgever het product "
        + "\u{201C}940 journaliseren\u{201D}. Vraag de beheerder van de salarisadministratie dit in Loket aan te zetten en vernieuw daarna de lijst."

    /// One employer: its payroll administrations and, per administration, whether a journal
    /// profile is configured. A 403 on this employer is recorded, not thrown.
    static func fetchEmployer(_ employer: LoketEmployer, client: LoketAPIClient) async throws -> (CachedEmployer, [CachedPayrollAdministration]) {
        var cached = CachedEmployer(
            employerId: employer.id, name: employer.companyName, employerNumber: employer.employerNumber,
            chamberOfCommerceNumber: employer.chamberOfCommerceNumber, error: nil
        )
        let administrations: [LoketPayrollAdministration]
        do {
            administrations = try await client.payrollAdministrations(employerId: employer.id)
        } catch let error as LoketError {
            guard case .forbidden = error else { throw error }
            cached.error = Self.noRightsExplanation
            return (cached, [])
        }
        var result: [CachedPayrollAdministration] = []
        for admin in administrations {
            var entry = CachedPayrollAdministration(
                employerId: employer.id, payrollAdministrationId: admin.id, name: admin.name, clientNumber: admin.clientNumber,
                periodType: PeriodTypeText.dutch(admin.payrollPeriodType), hasJournalProfile: false, journalProfile: nil,
                automaticJournalRuns: nil, error: nil
            )
            do {
                let configurations = try await client.journalConfigurations(payrollAdministrationId: admin.id)
                entry.hasJournalProfile = !configurations.isEmpty
                entry.journalProfile = configurations.first?.journalProfile?.description
                entry.automaticJournalRuns = configurations.first?.automaticallyInitiateJournalRun
            } catch let error as LoketError {
                guard case .forbidden = error else { throw error }
                entry.error = error.explanation
            }
            result.append(entry)
        }
        return (cached, result)
    }
}

/// Loket's payroll period type in Dutch words (the keys are documented inconsistently, so the
/// value is read too).
public enum PeriodTypeText {
    public static func dutch(_ type: LoketKeyValue?) -> String? {
        guard let type else { return nil }
        let value = (type.value ?? "").lowercased()
        if value.contains("4") || value.contains("four") || value.contains("vier") { return "4 weken" }
        if value.contains("month") || value.contains("maand") { return "maand" }
        if value.contains("week") { return "week" }
        switch type.key {
        case 1, 2: return "maand"
        case 3: return "4 weken"
        case 4: return "week"
        default: return type.value
        }
    }
}

// MARK: - Links

extension LoketService {
    /// What a Loket payroll administration is linked to.
    public enum LinkTarget: Sendable, Equatable {
        /// A new administration with the name and KvK number from Loket.
        case newAdministration(fiscalYear: Int)
        case existing(administrationId: AdministrationID)
    }

    /// Links one payroll administration of the company list.
    public func link(connectionId: ConnectionID, payrollAdministrationId: String, to target: LinkTarget) throws -> LoketLinkRecord {
        switch target {
        case .newAdministration(let year):
            try self.database.linkToNewAdministration(connectionId: connectionId, payrollAdministrationId: payrollAdministrationId, fiscalYear: year, at: self.now())
        case .existing(let administrationId):
            try self.database.link(connectionId: connectionId, payrollAdministrationId: payrollAdministrationId, toAdministration: administrationId, at: self.now())
        }
    }

    /// "Alles koppelen": every unlinked payroll administration with a journal profile gets an
    /// administration (its former one, or a new one with the office's default chart).
    public func linkAll(connectionId: ConnectionID, fiscalYear: Int) throws -> AppDatabase.LinkAllResult {
        try self.database.linkAllUnlinked(connectionId: connectionId, fiscalYear: fiscalYear, at: self.now())
    }

    /// Removes a link; the administration and its entries stay.
    @discardableResult
    public func unlink(linkId: Int64) throws -> LoketLinkRecord {
        try self.database.unlink(linkId: linkId, at: self.now())
    }
}

// MARK: - PayrollImport's own types at its boundary (no Loket client types reach the pages)

/// Which Loket a connection talks to.
public enum ConnectionKind: String, Sendable, CaseIterable {
    case simulator, acceptance, production, custom

    var client: LoketEnvironment.Kind {
        switch self {
        case .simulator: .simulator
        case .acceptance: .acceptance
        case .production: .production
        case .custom: .custom
        }
    }

    public var label: String { self.client.label }
}

/// What Loket sent back to the redirect URI: a code, or an error, and the state.
public struct LoginReply: Sendable, Equatable {
    public var code: String?
    public var state: String?
    public var error: String?
    public var errorDescription: String?

    public init(code: String?, state: String?, error: String?, errorDescription: String?) {
        self.code = code
        self.state = state
        self.error = error
        self.errorDescription = errorDescription
    }

    /// The reply in an address the user pasted (the paste fallback); nil when it has none.
    public static func parse(pastedURL: String) -> LoginReply? {
        AuthorizationResponse.parse(pastedURL: pastedURL).map {
            LoginReply(code: $0.code, state: $0.state, error: $0.error, errorDescription: $0.errorDescription)
        }
    }
}

/// Loket could not be reached or refused a call; the Dutch reason for the page.
public struct LoketProblem: Error, Equatable, Sendable {
    public let explanation: String
}
