import Foundation
import Hummingbird
import Ledger
import PayrollImport
import Storage
import Synchronization

/// Where the connect form's presets point and what the environment pre-fills.
public struct LoketDefaults: Sendable {
    /// The built-in simulator (`loonjournaal sandbox` / `demo`).
    public var simulatorURL: String
    public var simulatorClientId = "loonjournaal-demo"
    public var simulatorClientSecret = "demo-secret"
    /// From `LOKET_AUTH_URL`, `LOKET_API_URL`, `LOKET_CLIENT_ID`, `LOKET_CLIENT_SECRET`, `LOKET_REDIRECT_URI`.
    public var authURL: String?
    public var apiURL: String?
    public var clientId: String?
    public var clientSecret: String?
    public var redirectURI: String?

    public init(simulatorURL: String = "http://127.0.0.1:8421", environment: [String: String] = [:]) {
        self.simulatorURL = simulatorURL
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        self.authURL = value("LOKET_AUTH_URL")
        self.apiURL = value("LOKET_API_URL")
        self.clientId = value("LOKET_CLIENT_ID")
        self.clientSecret = value("LOKET_CLIENT_SECRET")
        self.redirectURI = value("LOKET_REDIRECT_URI")
    }
}

/// Connecting to Loket (OAuth with state and PKCE, loopback callback or paste), token health,
/// disconnecting; the company list with link, link-all and unlink.
struct LoketController {
    let pages: PageSupport
    let loket: LoketService
    let defaults: LoketDefaults
    let origin: ServerOrigin
    let handoffs: SingleUseParking<LoginReply>
    let tickets: SingleUseParking<String>

    init(pages: PageSupport, loket: LoketService, defaults: LoketDefaults, origin: ServerOrigin) {
        self.pages = pages
        self.loket = loket
        self.defaults = defaults
        self.origin = origin
        self.handoffs = SingleUseParking(now: pages.now)
        self.tickets = SingleUseParking(now: pages.now)
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/loket", use: self.overview)
        router.post("/loket/verbindingen", use: self.create)
        router.post("/loket/verbindingen/:connectionId/verbinden", use: self.connect)
        router.get("/loket/verbindingen/:connectionId/aanmelden", use: self.pastePage)
        router.post("/loket/verbindingen/:connectionId/code", use: self.pastedCode)
        router.post("/loket/verbindingen/:connectionId/verbreken", use: self.disconnect)
        router.get("/loket/verbindingen/:connectionId", use: self.companies)
        router.post("/loket/verbindingen/:connectionId/vernieuwen", use: self.refresh)
        router.post("/loket/verbindingen/:connectionId/koppelen", use: self.link)
        router.post("/loket/verbindingen/:connectionId/alles-koppelen", use: self.linkAll)
        router.get("/loket/koppelingen/:linkId/ontkoppelen", use: self.confirmUnlink)
        router.post("/loket/koppelingen/:linkId/ontkoppelen", use: self.unlink)
        router.get(RouterPath(LoketService.callbackPath), use: self.callback)
        router.get("/loket/doorsturen", use: self.forwardPage)
        router.get("/loket/naar-loket", use: self.forward)
    }

    // MARK: - Connections

    /// GET /loket
    @Sendable func overview(_ request: Request, context: AppRequestContext) async throws -> Response {
        try self.overviewPage(context: context, form: FormData(), errors: nil, status: .ok)
    }

    /// POST /loket/verbindingen — registers the connection and goes to Loket to log in.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.postedForm
        let kind = ConnectionKind(rawValue: form["environment"]) ?? .simulator
        var clientId = form["clientId"]
        var secret = form["clientSecret"]
        if kind == .simulator && clientId.trimmedForInput.isEmpty {
            clientId = self.defaults.simulatorClientId
            if secret.isEmpty { secret = self.defaults.simulatorClientSecret }
        }
        if secret.isEmpty, let fromEnvironment = self.defaults.clientSecret, clientId == self.defaults.clientId { secret = fromEnvironment }
        let input = LoketService.ConnectionInput(
            name: form["name"].trimmedForInput.isEmpty ? "Loket" : form["name"],
            environment: kind,
            authURL: form["authURL"],
            apiURL: form["apiURL"],
            clientId: clientId,
            clientSecret: secret,
            externalRedirectURI: form["externalRedirectURI"]
        )
        do {
            let connection = try await self.loket.createConnection(input, simulatorURL: self.defaults.simulatorURL)
            return try self.startLogin(connection, context: context)
        } catch let errors as ValidationErrors {
            return try self.overviewPage(context: context, form: form, errors: errors, status: .unprocessableContent)
        }
    }

    /// POST /loket/verbindingen/:id/verbinden — (re)connect: off to Loket's login page.
    @Sendable func connect(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try self.connection(context)
        if connection.externalRedirectUri != nil && context.postedForm["open"] != "1" {
            return Response.redirect(to: "/loket/verbindingen/\(connection.id!)/aanmelden", type: .normal)
        }
        return try self.startLogin(connection, context: context, forcePaste: false)
    }

    private func startLogin(_ connection: LoketConnectionRecord, context: AppRequestContext, forcePaste: Bool = true) throws -> Response {
        let session = try context.requireSession()
        if connection.externalRedirectUri != nil && forcePaste {
            return Response.redirect(to: "/loket/verbindingen/\(connection.id!)/aanmelden", type: .normal)
        }
        let url = try self.loket.beginLogin(connectionId: connection.id!, browserSession: session.id, loopbackOrigin: self.origin.url)
        // Browsers apply the page's CSP `form-action 'self'` to every redirect of a form post, so
        // the way to Loket goes through one same-origin page first. The state travels only in the
        // final Location header, never in a page.
        return Response.redirect(to: "/loket/doorsturen?ticket=\(self.tickets.park(url))", type: .normal)
    }

    /// GET /loket/doorsturen — a page that moves on (without a form) to Loket's login.
    @Sendable func forwardPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let ticket = request.uri.queryParameters.get("ticket"), self.tickets.exists(ticket) else {
            throw AppError.badRequest("Deze doorverwijzing naar Loket is verlopen. Kies opnieuw \u{2018}Verbinden\u{2019}.")
        }
        let page = OAuthContinuePage(layout: .plain(title: "Naar Loket"), continueURL: "/loket/naar-loket?ticket=\(ticket)")
        return self.pages.renderer.render("loket_forward", page)
    }

    /// GET /loket/naar-loket — redirects once to the authorize URL parked by the POST.
    @Sendable func forward(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let ticket = request.uri.queryParameters.get("ticket"), let url = self.tickets.take(ticket) else {
            throw AppError.badRequest("Deze doorverwijzing naar Loket is verlopen of al gebruikt. Kies opnieuw \u{2018}Verbinden\u{2019}.")
        }
        return Response(status: .found, headers: [.location: url, .cacheControl: "no-store"])
    }

    /// GET /loket/verbindingen/:id/aanmelden — the paste fallback for an external redirect URI.
    @Sendable func pastePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try self.connection(context)
        return try self.pasteResponse(connection, error: nil, context: context, status: .ok)
    }

    private func pasteResponse(_ connection: LoketConnectionRecord, error: String?, context: AppRequestContext, status: HTTPResponse.Status) throws -> Response {
        let page = LoketPastePage(
            layout: try self.pages.layout("Aanmelden bij Loket", section: "loket", context: context),
            connectionId: connection.id!,
            connectionName: connection.name,
            redirectURI: connection.externalRedirectUri ?? "",
            error: error
        )
        return self.pages.renderer.render("loket_paste", page, status: status)
    }

    /// POST /loket/verbindingen/:id/code — the address the browser landed on, pasted.
    @Sendable func pastedCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try self.connection(context)
        guard let response = LoginReply.parse(pastedURL: context.postedForm["url"]) else {
            return try self.pasteResponse(
                connection,
                error: "Dit is geen adres met een aanmeldcode van Loket. Kopieer het volledige adres uit de adresbalk (het bevat ?code=… of ?state=…).",
                context: context,
                status: .unprocessableContent
            )
        }
        return try await self.finishLogin(response, context: context)
    }

    /// GET /oauth/callback — Loket sends the browser back here with `code` and `state`.
    @Sendable func callback(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? { query.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        if let handoff = value("doorgaan") {
            // Second hop, now same-site: the cookie is here; take the parked answer (once).
            guard context.session != nil, let parked = self.handoffs.take(handoff) else { throw AppError.notSignedIn }
            return try await self.finishLogin(parked, context: context)
        }
        let response = LoginReply(
            code: value("code"), state: value("state"), error: value("error"), errorDescription: value("error_description")
        )
        guard context.session != nil else {
            // Coming back from another site, a SameSite=Strict cookie is not sent. Park the answer
            // server-side and continue once from our own page (same-site), where it is. Code and
            // state never appear in the page.
            let page = OAuthContinuePage(
                layout: .plain(title: "Aanmelding afronden"),
                continueURL: "\(LoketService.callbackPath)?doorgaan=\(self.handoffs.park(response))"
            )
            return self.pages.renderer.render("oauth_continue", page)
        }
        return try await self.finishLogin(response, context: context)
    }

    private func finishLogin(_ response: LoginReply, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        do {
            let connectionId = try await self.loket.completeLogin(response, browserSession: session.id)
            var flash = FlashMessage(.success, "Verbonden met Loket.")
            do {
                let summary = try await self.loket.refreshCompanyList(connectionId: connectionId)
                flash = FlashMessage(
                    .success,
                    "Verbonden met Loket: \(summary.employers) werkgever(s) met \(summary.payrollAdministrations) loonadministratie(s) opgehaald."
                )
            } catch let error as LoketProblem {
                flash = FlashMessage(.error, "Verbonden, maar de bedrijvenlijst kon niet worden opgehaald: \(error.explanation)")
            }
            return self.pages.redirect(to: "/loket/verbindingen/\(connectionId)", flash: flash, context: context)
        } catch let error as LoketService.LoginError {
            let page = LoketLoginProblemPage(
                layout: try self.pages.layout("Aanmelden bij Loket", section: "loket", context: context),
                title: error == .cancelled ? "Aanmelding geannuleerd" : "Aanmelden bij Loket is niet gelukt",
                message: error.explanation,
                connectionId: nil,
                cancelled: error == .cancelled
            )
            return self.pages.renderer.render("loket_problem", page, status: error == .cancelled ? .ok : .badRequest)
        }
    }

    /// POST /loket/verbindingen/:id/verbreken — forget the tokens; links and drafts stay.
    @Sendable func disconnect(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try self.connection(context)
        try await self.loket.disconnect(connectionId: connection.id!)
        return self.pages.redirect(
            to: "/loket",
            flash: FlashMessage(.success, "De verbinding \(connection.name) is verbroken: de sleutels zijn vergeten. Koppelingen en concepten blijven bewaard."),
            context: context
        )
    }

    // MARK: - Company list

    /// GET /loket/verbindingen/:id — the company list as last fetched.
    @Sendable func companies(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try self.connection(context)
        let rows = try self.pages.database.companyList(connectionId: connection.id!)
        let administrations = try self.pages.database.administrationSummaries()
        let linkedIds = Set(try self.pages.database.links().map(\.administrationId))
        var employers: [CompanyListPage.Employer] = []
        var unlinked = 0
        var linked = 0
        var total = 0
        for group in Self.grouped(rows) {
            let first = group[0]
            let admins: [CompanyListPage.Administration] = group.compactMap { row in
                guard let id = row.payrollAdministrationId else { return nil }
                total += 1
                if row.linkId == nil { unlinked += 1 } else { linked += 1 }
                return CompanyListPage.Administration(
                    payrollAdministrationId: id,
                    name: row.name ?? "",
                    clientNumber: row.clientNumber.map(String.init) ?? "–",
                    periodType: row.periodType ?? "onbekend",
                    hasJournalProfile: row.hasJournalProfile ?? false,
                    journalProfile: row.journalProfile,
                    automatic: row.automaticJournalRuns ?? false,
                    error: row.error,
                    isLinked: row.linkId != nil,
                    linkedElsewhere: row.linkId != nil && row.linkedConnectionId != connection.id,
                    linkId: row.linkId ?? 0,
                    administrationId: row.administrationId ?? 0,
                    administrationCode: row.administrationCode ?? "",
                    administrationName: row.administrationName ?? ""
                )
            }
            employers.append(
                CompanyListPage.Employer(
                    name: first.employerName,
                    number: first.employerNumber.map(String.init),
                    kvk: first.employerKvk,
                    error: first.employerError,
                    administrations: admins,
                    hasNoAdministrations: admins.isEmpty && first.employerError == nil
                )
            )
        }
        let page = CompanyListPage(
            layout: try self.pages.layout("Bedrijven in Loket", section: "loket", context: context),
            connectionId: connection.id!,
            connectionName: connection.name,
            statusText: Self.statusText(connection),
            needsReconnect: connection.status == .reconnect || connection.status == .disconnected || connection.status == .new,
            fetchedAt: connection.companiesFetchedAt.map(DutchFormat.dateTime),
            neverFetched: connection.companiesFetchedAt == nil,
            employers: employers,
            unlinkedCount: unlinked,
            hasUnlinked: unlinked > 0,
            linkedCount: linked,
            choices: administrations.filter { !linkedIds.contains($0.id) }.map { CompanyListPage.Choice(id: $0.id, label: "\($0.code) – \($0.name)") },
            totalAdministrations: total
        )
        return self.pages.renderer.render("loket_companies", page)
    }

    static func grouped(_ rows: [CompanyListRow]) -> [[CompanyListRow]] {
        var groups: [[CompanyListRow]] = []
        for row in rows {
            if let last = groups.last?.first, last.employerId == row.employerId {
                groups[groups.count - 1].append(row)
            } else {
                groups.append([row])
            }
        }
        return groups
    }

    /// POST /loket/verbindingen/:id/vernieuwen — fetch the company list again.
    @Sendable func refresh(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try self.connection(context)
        let path = "/loket/verbindingen/\(connection.id!)"
        do {
            let summary = try await self.loket.refreshCompanyList(connectionId: connection.id!)
            var text = "Bijgewerkt: \(summary.employers) werkgever(s), \(summary.payrollAdministrations) loonadministratie(s)."
            if summary.employersWithoutAccess > 0 { text += " Bij \(summary.employersWithoutAccess) werkgever(s) ontbreken rechten (zie hieronder)." }
            return self.pages.redirect(to: path, flash: FlashMessage(.success, text), context: context)
        } catch let error as LoketProblem {
            return self.pages.redirect(to: path, flash: FlashMessage(.error, error.explanation + " De vorige lijst blijft staan."), context: context)
        }
    }

    /// POST /loket/verbindingen/:id/koppelen — link one payroll administration (to an existing or a new administration).
    @Sendable func link(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try self.connection(context)
        let form = context.postedForm
        let path = "/loket/verbindingen/\(connection.id!)"
        let payrollAdministrationId = form["payrollAdministrationId"]
        let target = form["administrationId"]
        do {
            let link: LoketLinkRecord
            if target == "nieuw" || target.isEmpty {
                link = try self.loket.link(connectionId: connection.id!, payrollAdministrationId: payrollAdministrationId, to: .newAdministration(fiscalYear: self.currentYear()))
            } else if let administrationId = Int64(target) {
                link = try self.loket.link(connectionId: connection.id!, payrollAdministrationId: payrollAdministrationId, to: .existing(administrationId: administrationId))
            } else {
                throw AppError.badRequest("Kies een administratie om aan te koppelen.")
            }
            let administration = try self.pages.database.administration(id: link.administrationId)
            return self.pages.redirect(
                to: path,
                flash: FlashMessage(.success, "\(link.payrollAdministrationName) is gekoppeld aan \(administration?.code ?? "") \(administration?.name ?? "")."),
                context: context
            )
        } catch let error as StorageError {
            return self.pages.redirect(to: path, flash: FlashMessage(.error, Self.explain(error)), context: context)
        }
    }

    /// POST /loket/verbindingen/:id/alles-koppelen — a new administration for every unlinked one, in one go.
    @Sendable func linkAll(_ request: Request, context: AppRequestContext) async throws -> Response {
        let connection = try self.connection(context)
        let count = try self.loket.linkAll(connectionId: connection.id!, fiscalYear: self.currentYear())
        let text =
            count == 0
            ? "Alle loonadministraties waren al gekoppeld."
            : "\(count) loonadministratie(s) gekoppeld, elk aan een nieuwe administratie met de naam en het KvK-nummer uit Loket."
        return self.pages.redirect(to: "/loket/verbindingen/\(connection.id!)", flash: FlashMessage(count == 0 ? .info : .success, text), context: context)
    }

    /// GET /loket/koppelingen/:id/ontkoppelen — asks for confirmation (pages work without JavaScript).
    @Sendable func confirmUnlink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let link = try self.linkRecord(context)
        let administration = try self.pages.database.administration(id: link.administrationId)
        let page = UnlinkConfirmPage(
            layout: try self.pages.layout("Koppeling verwijderen", section: "loket", context: context),
            linkId: link.id!,
            employerName: link.employerName,
            payrollAdministrationName: link.payrollAdministrationName,
            administrationCode: administration?.code ?? "",
            administrationName: administration?.name ?? "",
            returnTo: "/loket/verbindingen/\(link.connectionId)"
        )
        return self.pages.renderer.render("loket_unlink", page)
    }

    /// POST /loket/koppelingen/:id/ontkoppelen — removes the link after confirmation; the administration stays.
    @Sendable func unlink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let link = try self.linkRecord(context)
        guard context.postedForm["confirmed"] == "1" else {
            return Response.redirect(to: "/loket/koppelingen/\(link.id!)/ontkoppelen", type: .normal)
        }
        try self.loket.unlink(linkId: link.id!)
        let administration = try self.pages.database.administration(id: link.administrationId)
        return self.pages.redirect(
            to: "/loket/verbindingen/\(link.connectionId)",
            flash: FlashMessage(
                .success,
                "De koppeling van \(link.payrollAdministrationName) met \(administration?.code ?? "") is verwijderd. De administratie en haar boekingen blijven bestaan."
            ),
            context: context
        )
    }

    // MARK: - Helpers

    private func currentYear() -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = DutchFormat.timeZone
        return calendar.component(.year, from: self.pages.now())
    }

    private func connection(_ context: AppRequestContext) throws -> LoketConnectionRecord {
        guard let id = context.parameters.get("connectionId", as: Int64.self), let connection = try self.pages.database.connection(id: id) else {
            throw AppError.notFound("Deze Loket-verbinding bestaat niet. Kies een verbinding op de pagina Loket.")
        }
        return connection
    }

    private func linkRecord(_ context: AppRequestContext) throws -> LoketLinkRecord {
        guard let id = context.parameters.get("linkId", as: Int64.self), let link = try self.pages.database.link(id: id) else {
            throw AppError.notFound("Deze koppeling bestaat niet (meer); misschien is ze al verwijderd.")
        }
        return link
    }

    static func explain(_ error: StorageError) -> String {
        switch error {
        case .payrollAdministrationAlreadyLinked(let code): "Deze loonadministratie is al gekoppeld (aan \(code)). Een loonadministratie wordt maar één keer gekoppeld."
        case .administrationAlreadyLinked(let code): "Administratie \(code) is al aan een andere loonadministratie gekoppeld. Kies een andere of maak een nieuwe."
        case .payrollAdministrationNotFound: "Deze loonadministratie staat niet (meer) in de lijst. Vernieuw de lijst en probeer het opnieuw."
        case .administrationNotFound: "Die administratie bestaat niet (meer)."
        default: "Koppelen is niet gelukt."
        }
    }

    static func statusText(_ connection: LoketConnectionRecord) -> String {
        switch connection.status {
        case .new: "Nog niet aangemeld"
        case .connected: "Verbonden"
        case .reconnect: "Opnieuw verbinden nodig"
        case .disconnected: "Verbinding verbroken"
        }
    }

    private func overviewPage(context: AppRequestContext, form: FormData, errors: ValidationErrors?, status: HTTPResponse.Status) throws -> Response {
        let connections = try self.pages.database.connections()
        let chosen = ConnectionKind(rawValue: form["environment"]) ?? (self.defaults.authURL != nil ? .custom : .simulator)
        let page = LoketPage(
            layout: try self.pages.layout("Loket", section: "loket", context: context),
            connections: connections.map { connection in
                LoketPage.Connection(
                    id: connection.id!,
                    name: connection.name,
                    environment: ConnectionKind(rawValue: connection.environment)?.label ?? connection.environment,
                    clientId: connection.clientId,
                    statusText: Self.statusText(connection),
                    statusClass: connection.status.rawValue,
                    validUntil: connection.status == .connected ? connection.accessTokenExpiresAt.map(DutchFormat.dateTime) : nil,
                    lastRefresh: connection.lastRefreshAt.map(DutchFormat.dateTime),
                    lastError: connection.lastError,
                    companiesFetched: connection.companiesFetchedAt.map(DutchFormat.dateTime),
                    canConnect: connection.status != .connected,
                    canDisconnect: connection.status == .connected || connection.status == .reconnect,
                    isConnected: connection.status == .connected,
                    usesPaste: connection.externalRedirectUri != nil,
                    connectLabel: connection.status == .new ? "Verbinden" : "Opnieuw verbinden"
                )
            },
            errors: errors?.errors.map(\.message) ?? [],
            name: FieldView(form.has("name") ? form["name"] : "Loket", errors, "name"),
            environments: ConnectionKind.allCases.map { LoketPage.EnvironmentOption(value: $0.rawValue, label: $0.label, checked: $0 == chosen) },
            authURL: FieldView(form.has("authURL") ? form["authURL"] : (self.defaults.authURL ?? ""), errors, "authURL"),
            apiURL: FieldView(form.has("apiURL") ? form["apiURL"] : (self.defaults.apiURL ?? ""), errors, "apiURL"),
            clientId: FieldView(form.has("clientId") ? form["clientId"] : (self.defaults.clientId ?? ""), errors, "clientId"),
            clientSecretError: errors?.message(for: "clientSecret"),
            externalRedirectURI: FieldView(form.has("externalRedirectURI") ? form["externalRedirectURI"] : (self.defaults.redirectURI ?? ""), errors, "externalRedirectURI"),
            simulatorURL: self.defaults.simulatorURL,
            callbackURL: self.origin.url + LoketService.callbackPath
        )
        return self.pages.renderer.render("loket", page, status: status)
    }
}
