import Foundation
import Hummingbird
import Ledger
import PayrollImport
import Storage
import Synchronization

/// Connecting to Loket: the connections page (environment, token health), OAuth with state and
/// PKCE (loopback callback, or paste for an external redirect URI), disconnecting.
struct ConnectionController {
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
        router.get(.loket, use: self.overview)
        router.post(.connections, use: self.create)
        router.post(.connect(connection: 0), use: self.connect)
        router.get(.pasteLogin(connection: 0), use: self.pastePage)
        router.post(.pastedCode(connection: 0), use: self.pastedCode)
        router.post(.disconnect(connection: 0), use: self.disconnect)
        router.get(.oauthCallback, use: self.callback)
        router.get(.forwardPage, use: self.forwardPage)
        router.get(.forwardToLoket, use: self.forward)
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
        let connection = try self.pages.loketConnection(context)
        if connection.externalRedirectUri != nil && context.postedForm["open"] != "1" {
            return Response.redirect(to: Route.pasteLogin(connection: connection.id!).path, type: .normal)
        }
        return try self.startLogin(connection, context: context, forcePaste: false)
    }

    private func startLogin(_ connection: LoketConnectionRecord, context: AppRequestContext, forcePaste: Bool = true) throws -> Response {
        let session = try context.requireSession()
        if connection.externalRedirectUri != nil && forcePaste {
            return Response.redirect(to: Route.pasteLogin(connection: connection.id!).path, type: .normal)
        }
        let url = try self.loket.beginLogin(connectionId: connection.id!, browserSession: session.id, loopbackOrigin: self.origin.url)
        // Browsers apply the page's CSP `form-action 'self'` to every redirect of a form post, so
        // the way to Loket goes through one same-origin page first. The state travels only in the
        // final Location header, never in a page.
        return Response.redirect(to: Route.forwardPage.path(query: [("ticket", self.tickets.park(url))]), type: .normal)
    }

    /// GET /loket/doorsturen — a page that moves on (without a form) to Loket's login.
    @Sendable func forwardPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let ticket = request.uri.queryParameters.get("ticket"), self.tickets.exists(ticket) else {
            throw AppError.badRequest("Deze doorverwijzing naar Loket is verlopen. Kies opnieuw \u{2018}Verbinden\u{2019}.")
        }
        let page = OAuthContinuePage(layout: .plain(title: "Naar Loket"), continueURL: Route.forwardToLoket.path(query: [("ticket", ticket)]))
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
        let connection = try self.pages.loketConnection(context)
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
        let connection = try self.pages.loketConnection(context)
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
            return self.pages.redirect(to: Route.companies(connection: connectionId).path, flash: flash, context: context)
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
        let connection = try self.pages.loketConnection(context)
        try await self.loket.disconnect(connectionId: connection.id!)
        return self.pages.redirect(
            to: Route.loket.path,
            flash: FlashMessage(.success, "De verbinding \(connection.name) is verbroken: de sleutels zijn vergeten. Koppelingen en concepten blijven bewaard."),
            context: context
        )
    }

    // MARK: - Helpers

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
            simulatorHint: self.defaults.simulatorHint,
            callbackURL: self.origin.url + LoketService.callbackPath
        )
        return self.pages.renderer.render("loket", page, status: status)
    }
}
