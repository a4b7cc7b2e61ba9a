import Foundation
import HTTPTypes
import Hummingbird

/// Loket's authorization server as the simulator plays it: a Dutch login page (demo/demo, and
/// demo2fa/demo with a TOTP step), single-use short-lived codes, PKCE S256 when sent, rotating
/// refresh tokens and OAuth error JSON.
struct SandboxOAuth {
    let configuration: SandboxConfiguration
    let state: SandboxState
    static let codeLifetime: TimeInterval = 60
    static let users = ["demo": "demo", "demo2fa": "demo"]

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/authorize", use: self.authorize)
        router.post("/authorize", use: self.login)
        router.post("/authorize/totp", use: self.totp)
        router.post("/token", use: self.token)
    }

    // MARK: - Pages

    /// GET /authorize: checks client and redirect URI, then shows the login page.
    @Sendable func authorize(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? { query.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        guard let clientId = value("client_id"), clientId == self.configuration.clientId else {
            return Self.page(status: .badRequest, title: "Onbekende applicatie", body: "<p>Deze applicatie (client_id) is niet bij Loket geregistreerd.</p>")
        }
        guard let redirectURI = value("redirect_uri"), self.isAllowedRedirect(redirectURI) else {
            return Self.page(status: .badRequest, title: "Ongeldig terugstuuradres", body: "<p>Het redirect_uri is niet voor deze applicatie geregistreerd.</p>")
        }
        let parameters = AuthorizeParameters(
            clientId: clientId,
            redirectURI: redirectURI,
            state: value("state"),
            codeChallenge: value("code_challenge"),
            codeChallengeMethod: value("code_challenge_method"),
            scope: value("scope")
        )
        guard value("response_type") == "code" else {
            return self.redirect(parameters, ["error": "unsupported_response_type"])
        }
        if parameters.codeChallenge != nil && (parameters.codeChallengeMethod ?? "plain") != "S256" {
            return self.redirect(parameters, ["error": "invalid_request", "error_description": "code_challenge_method must be S256"])
        }
        return self.loginPage(parameters, error: nil)
    }

    /// POST /authorize: the login form (or "Annuleren").
    @Sendable func login(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        guard let clientId = form["client_id"], clientId == self.configuration.clientId,
            let redirectURI = form["redirect_uri"], self.isAllowedRedirect(redirectURI)
        else {
            return Self.page(status: .badRequest, title: "Ongeldig verzoek", body: "<p>Begin opnieuw vanuit uw applicatie.</p>")
        }
        let parameters = AuthorizeParameters(
            clientId: clientId,
            redirectURI: redirectURI,
            state: form["state"].flatMap { $0.isEmpty ? nil : $0 },
            codeChallenge: form["code_challenge"].flatMap { $0.isEmpty ? nil : $0 },
            codeChallengeMethod: form["code_challenge_method"].flatMap { $0.isEmpty ? nil : $0 },
            scope: form["scope"]
        )
        if form["action"] == "cancel" {
            return self.redirect(parameters, ["error": "access_denied", "error_description": "De gebruiker heeft de aanmelding geannuleerd."])
        }
        let user = form["username"] ?? ""
        guard let password = Self.users[user], password == form["password"] else {
            return self.loginPage(parameters, error: "Gebruikersnaam of wachtwoord onjuist.")
        }
        if user == "demo2fa" {
            let pendingId = SandboxState.randomToken(24)
            self.state.withWorld {
                $0.pendingLogins[pendingId] = SandboxState.PendingLogin(parameters: parameters, user: user, expiresAt: self.state.now().addingTimeInterval(300))
            }
            return self.totpPage(pendingId: pendingId, error: nil)
        }
        return self.issueCode(parameters, user: user)
    }

    /// POST /authorize/totp: the second factor of `demo2fa`.
    @Sendable func totp(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        let pendingId = form["pending"] ?? ""
        let pending = self.state.withWorld { $0.pendingLogins[pendingId] }
        guard let pending, pending.expiresAt > self.state.now() else {
            return Self.page(status: .badRequest, title: "Sessie verlopen", body: "<p>De aanmelding is verlopen. Begin opnieuw vanuit uw applicatie.</p>")
        }
        if form["action"] == "cancel" {
            self.state.withWorld { _ = $0.pendingLogins.removeValue(forKey: pendingId) }
            return self.redirect(pending.parameters, ["error": "access_denied"])
        }
        let code = (form["code"] ?? "").filter(\.isNumber)
        let now = self.state.now()
        guard code == self.state.totpCode(at: now) || code == self.state.totpCode(at: now.addingTimeInterval(-30)) else {
            return self.totpPage(pendingId: pendingId, error: "Deze code klopt niet. Kijk opnieuw in de authenticator-app.")
        }
        self.state.withWorld { _ = $0.pendingLogins.removeValue(forKey: pendingId) }
        return self.issueCode(pending.parameters, user: pending.user)
    }

    private func issueCode(_ parameters: AuthorizeParameters, user: String) -> Response {
        let code = SandboxState.randomToken()
        self.state.withWorld {
            $0.codes[code] = SandboxState.AuthorizationCode(
                clientId: parameters.clientId,
                redirectURI: parameters.redirectURI,
                codeChallenge: parameters.codeChallenge,
                user: user,
                expiresAt: self.state.now().addingTimeInterval(Self.codeLifetime),
                used: false
            )
        }
        return self.redirect(parameters, ["code": code])
    }

    /// `{redirect_uri}?code=…&state=…` (Loket's order: state first).
    private func redirect(_ parameters: AuthorizeParameters, _ values: [String: String]) -> Response {
        var components = URLComponents(string: parameters.redirectURI)!
        var items = components.queryItems ?? []
        if let state = parameters.state { items.append(URLQueryItem(name: "state", value: state)) }
        for key in ["code", "error", "error_description"] { if let value = values[key] { items.append(URLQueryItem(name: key, value: value)) } }
        components.queryItems = items
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return Response(status: .found, headers: [.location: components.string!, .cacheControl: "no-store"])
    }

    func isAllowedRedirect(_ uri: String) -> Bool {
        if let external = self.configuration.externalRedirectURI, uri == external { return true }
        guard let components = URLComponents(string: uri), components.scheme == "http", let host = components.host?.lowercased(),
            components.fragment == nil
        else { return false }
        // RFC 8252 §7.3: any port on a loopback address.
        return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]"
    }

    // MARK: - Token endpoint

    /// POST /token: `authorization_code` and `refresh_token` grants.
    @Sendable func token(_ request: Request, context: BasicRequestContext) async throws -> Response {
        self.state.withWorld { $0.counters.tokenRequests += 1 }
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            return Self.oauthError(.badRequest, "invalid_request", "form-encoded body expected")
        }
        let form = try await Self.form(request)
        let clientId = form["client_id"] ?? form["client_Id"]
        guard clientId == self.configuration.clientId, form["client_secret"] == self.configuration.clientSecret else {
            return Self.oauthError(.unauthorized, "invalid_client", nil)
        }
        switch form["grant_type"] {
        case "authorization_code":
            guard let code = form["code"] else { return Self.oauthError(.badRequest, "invalid_request", "code missing") }
            let now = self.state.now()
            let result: String? = self.state.withWorld { world in
                guard var stored = world.codes[code] else { return "unknown code" }
                if stored.used { return "code already used" }
                stored.used = true
                world.codes[code] = stored
                if stored.expiresAt < now { return "code expired" }
                if stored.clientId != clientId { return "client mismatch" }
                if stored.redirectURI != form["redirect_uri"] { return "redirect_uri mismatch" }
                if let challenge = stored.codeChallenge {
                    guard let verifier = form["code_verifier"], SandboxState.s256(verifier) == challenge else { return "PKCE verification failed" }
                }
                return nil
            }
            if let result { return Self.oauthError(.badRequest, "invalid_grant", result) }
            let user = self.state.withWorld { $0.codes[code]!.user }
            return self.issueTokens(user: user)
        case "refresh_token":
            guard let refresh = form["refresh_token"] else { return Self.oauthError(.badRequest, "invalid_request", "refresh_token missing") }
            let user: String? = self.state.withWorld { world in
                // Rotation: a refresh token works once.
                guard let user = world.refreshTokens.removeValue(forKey: refresh) else { return nil }
                world.counters.refreshes += 1
                return user
            }
            guard let user else { return Self.oauthError(.badRequest, "invalid_grant", "refresh token invalid or already used") }
            return self.issueTokens(user: user)
        default:
            return Self.oauthError(.badRequest, "unsupported_grant_type", nil)
        }
    }

    private func issueTokens(user: String) -> Response {
        let access = SandboxState.randomToken()
        let refresh = SandboxState.randomToken(16)
        let lifetime = self.state.withWorld { $0.tokenLifetimeOverride } ?? self.configuration.faults.tokenTTL ?? self.configuration.accessTokenLifetime
        self.state.withWorld {
            $0.accessTokens[access] = SandboxState.AccessToken(user: user, expiresAt: self.state.now().addingTimeInterval(TimeInterval(lifetime)))
            $0.refreshTokens[refresh] = user
        }
        let body = JSON.object([
            ("access_token", .string(access)),
            ("token_type", .string("bearer")),
            ("expires_in", .int(lifetime)),
            ("refresh_token", .string(refresh)),
            ("two_factor_state", .string("None")),
        ])
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: body.render()))
        )
    }

    static func oauthError(_ status: HTTPResponse.Status, _ code: String, _ description: String?) -> Response {
        var members: [(String, JSON)] = [("error", .string(code))]
        if let description { members.append(("error_description", .string(description))) }
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: JSON.object(members).render()))
        )
    }

    // MARK: - HTML

    private func hiddenFields(_ p: AuthorizeParameters) -> String {
        [("client_id", p.clientId), ("redirect_uri", p.redirectURI), ("state", p.state ?? ""), ("code_challenge", p.codeChallenge ?? ""),
         ("code_challenge_method", p.codeChallengeMethod ?? ""), ("scope", p.scope ?? "")]
            .map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\(Self.escape($0.1))\">" }.joined(separator: "\n")
    }

    private func loginPage(_ parameters: AuthorizeParameters, error: String?) -> Response {
        let body = """
            <p class="demo" id="demo-credentials">Demo-inloggegevens: gebruiker <strong>demo</strong>, wachtwoord <strong>demo</strong>.
            Met tweestapsverificatie: gebruiker <strong>demo2fa</strong>, wachtwoord <strong>demo</strong>.</p>
            \(error.map { "<p class=\"error\" role=\"alert\">\(Self.escape($0))</p>" } ?? "")
            <form method="post" action="/authorize">
            \(self.hiddenFields(parameters))
            <label for="username">Gebruikersnaam</label><input id="username" name="username" autocomplete="username" autofocus>
            <label for="password">Wachtwoord</label><input id="password" name="password" type="password" autocomplete="current-password">
            <p><button type="submit" name="action" value="login" id="login">Inloggen</button>
            <button type="submit" name="action" value="cancel" id="cancel" class="secondary">Annuleren</button></p>
            </form>
            <p class="small">U geeft de applicatie \u{201C}\(Self.escape(parameters.clientId))\u{201D} toegang tot uw loonadministraties. Uw wachtwoord gaat alleen naar Loket.</p>
            """
        return Self.page(status: error == nil ? .ok : .unauthorized, title: "Inloggen bij Loket (simulator)", body: body)
    }

    private func totpPage(pendingId: String, error: String?) -> Response {
        let body = """
            <p>Voer de code uit uw authenticator-app in.</p>
            <p class="demo" id="demo-totp">Demo: de authenticator toont nu <strong id="current-code">\(self.state.totpCode())</strong> (wisselt elke 30 seconden).</p>
            \(error.map { "<p class=\"error\" role=\"alert\">\(Self.escape($0))</p>" } ?? "")
            <form method="post" action="/authorize/totp">
            <input type="hidden" name="pending" value="\(Self.escape(pendingId))">
            <label for="code">Verificatiecode</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" autofocus>
            <p><button type="submit" name="action" value="verify" id="verify">Bevestigen</button>
            <button type="submit" name="action" value="cancel" class="secondary">Annuleren</button></p>
            </form>
            """
        return Self.page(status: error == nil ? .ok : .unauthorized, title: "Tweestapsverificatie", body: body)
    }

    static func page(status: HTTPResponse.Status, title: String, body: String) -> Response {
        let html = """
            <!doctype html><html lang="nl"><head><meta charset="utf-8"><title>\(self.escape(title))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font:15px/1.5 system-ui,sans-serif;background:#eef3f7;margin:0}main{max-width:26rem;margin:3rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;border-top:6px solid #e3530d}
            h1{font-size:1.3rem}label{display:block;font-weight:600;margin-top:.8rem}input{width:100%;padding:.45rem;font:inherit;box-sizing:border-box}
            button{margin-top:1rem;padding:.5rem 1rem;font:inherit;background:#e3530d;color:#fff;border:0;border-radius:4px;cursor:pointer}button.secondary{background:#fff;color:#333;border:1px solid #999}
            .demo{background:#fff7e0;border:1px solid #e8c35a;padding:.5rem .8rem;border-radius:4px}.error{color:#a4161a;font-weight:600}.small{color:#555;font-size:.85rem}</style></head>
            <body><main><p><strong>Loket</strong> · simulator</p><h1>\(self.escape(title))</h1>\(body)</main></body></html>
            """
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                HTTPField.Name("Referrer-Policy")!: "no-referrer",
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http://127.0.0.1:* http://localhost:*; frame-ancestors 'none'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    static func form(_ request: Request) async throws -> [String: String] {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 * 1024)
        var result: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            let name = decode(parts[0])
            if result[name] == nil { result[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return result
    }
}
