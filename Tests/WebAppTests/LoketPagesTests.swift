import Foundation
import HTTPTypes
import Hummingbird
import LoketClient
import LoketSandbox
import Storage
import Testing

@testable import WebApp

extension Harness {
    /// Starts a simulator connection: returns the authorize URL the app sends the browser to.
    func startConnection(_ fields: [(String, String)] = [("environment", "simulator"), ("name", "Kantoor")]) async throws -> String {
        try await self.followToLoket(try await self.post("/loket/verbindingen", fields))
    }

    /// Post → same-origin page (no form, so CSP form-action allows the next hop) → 302 to Loket.
    func followToLoket(_ response: Page) async throws -> String {
        #expect(response.status == .seeOther)
        let forward = try #require(response.headers[.location])
        #expect(forward.hasPrefix("/loket/doorsturen?ticket="))
        let page = try await self.get(forward)
        #expect(page.status == .ok)
        #expect(!page.body.contains("state="))
        let next = String(try #require(page.body.firstMatch(of: /url=(\/loket\/naar-loket\?ticket=[A-Za-z0-9_-]+)/)).1)
        let redirect = try await self.get(next)
        #expect(redirect.status == .found)
        #expect(try await self.get(next).status == .badRequest)  // single use
        return try #require(redirect.headers[.location])
    }

    /// Logs in at the simulator like a browser; returns the app path Loket redirects back to.
    func loginAtSimulator(_ authorizeURL: String, user: String = "demo", cancel: Bool = false) async throws -> String {
        let simulator = try #require(self.simulator)
        let components = try #require(URLComponents(string: authorizeURL))
        let items = components.queryItems ?? []
        func value(_ name: String) -> String { items.first { $0.name == name }?.value ?? "" }
        let page = try await simulator.transport.send(LoketHTTPRequest(method: "GET", url: authorizeURL), timeout: .seconds(60))
        #expect(page.status == 200)
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        var fields = [
            ("client_id", value("client_id")), ("redirect_uri", value("redirect_uri")), ("state", value("state")),
            ("code_challenge", value("code_challenge")), ("code_challenge_method", value("code_challenge_method")), ("scope", "all"),
            ("username", user), ("password", "demo"), ("action", cancel ? "cancel" : "login"),
        ]
        var response = try await simulator.transport.send(
            LoketHTTPRequest(
                method: "POST", url: simulator.url + "/authorize", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array(fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)
            ),
            timeout: .seconds(60)
        )
        if user == "demo2fa" {
            let body = String(decoding: response.body, as: UTF8.self)
            let pending = String(try #require(body.firstMatch(of: /name="pending" value="([^"]+)"/)).1)
            fields = [("pending", pending), ("code", simulator.handle.currentTOTP()), ("action", "verify")]
            response = try await simulator.transport.send(
                LoketHTTPRequest(
                    method: "POST", url: simulator.url + "/authorize/totp", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                    body: Array(fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)
                ),
                timeout: .seconds(60)
            )
        }
        #expect(response.status == 302)
        let location = try #require(response.header("Location"))
        #expect(location.hasPrefix(self.origin + "/oauth/callback?"))
        return String(location.dropFirst(self.origin.count))
    }

    /// Connect → login → callback: the company list.
    func connect(user: String = "demo") async throws -> Page {
        let callback = try await self.loginAtSimulator(try await self.startConnection(), user: user)
        let done = try await self.get(callback)
        #expect(done.status == .seeOther)
        #expect(done.headers[.location] == "/loket/verbindingen/1")
        return try await self.get("/loket/verbindingen/1")
    }
}

@Suite struct LoketConnectTests {
    @Test func connectWithPKCEAndSeeTheCompanyList() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let authorize = try await h.startConnection()
            let query = try #require(URLComponents(string: authorize)?.queryItems)
            func value(_ name: String) -> String? { query.first { $0.name == name }?.value }
            #expect(authorize.hasPrefix(h.simulator!.url + "/authorize?"))
            #expect(value("response_type") == "code")
            #expect(value("scope") == "all")
            #expect(value("client_id") == "loonjournaal-demo")
            #expect(value("redirect_uri") == "\(h.origin)/oauth/callback")
            #expect(value("code_challenge_method") == "S256")
            #expect((value("code_challenge") ?? "").count == 43)
            #expect((value("state") ?? "").count >= 43)
            let callback = try await h.loginAtSimulator(authorize)
            let done = try await h.get(callback)
            #expect(done.status == .seeOther)
            let list = try await h.get("/loket/verbindingen/1")
            for name in ["Bakkerij De Gouden Korst B.V.", "Installatiebedrijf Van Dijk B.V.", "Van Dijk Oproepkrachten (4-weken)", "Stichting Zorg Thuis"] {
                #expect(list.body.contains(name), "\(name)")
            }
            #expect(list.body.contains("4 weken"))
            #expect(list.body.contains("journaliseert nog met Journaal Basis (938) of de oude journaalmodule"))
            // An employer the login may not see gets the rights explanation, not an error page.
            #expect(list.body.contains("Holding Zonder Rechten B.V."))
            #expect(list.body.contains("Uw Loket-gebruiker mag de loonadministraties van deze werkgever niet inzien."))
            #expect(list.body.contains("\u{201C}Raadplegen journaaloutput\u{201D}") && list.body.contains("\u{201C}940 journaliseren\u{201D}"))
            // In Dutch, without a status code or an address.
            #expect(!list.body.contains("403") && !list.body.contains("/v2/"))
            #expect(list.body.contains("werkgever(s) met 6 loonadministratie(s) opgehaald"))
            // Tokens are in the 0600 credentials file, never in the database or the pages.
            let credentials = try #require(try await h.tokenStore.credentials(for: 1))
            let access = try #require(credentials.accessToken)
            let refresh = try #require(credentials.refreshToken)
            for page in [list.body, try await h.get("/loket").body, try await h.get("/").body] {
                #expect(!page.contains(access) && !page.contains(refresh) && !page.contains(value("state")!) && !page.contains("demo-secret"))
            }
            #expect(!h.logs.text.contains(access) && !h.logs.text.contains(value("state")!) && !h.logs.text.contains("code="))
            let mode = try FileManager.default.attributesOfItem(atPath: h.dataDirectory.appending(path: "credentials.json").path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
            let overview = try await h.get("/loket")
            #expect(overview.body.contains("Verbonden"))
            #expect(overview.body.contains("geldig tot"))
        }
    }

    @Test func twoFactorUserConnects() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let list = try await h.connect(user: "demo2fa")
            #expect(list.body.contains("Bakkerij De Gouden Korst B.V."))
        }
    }

    @Test func badStatesAreRefusedBeforeAnyTokenCall() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let authorize = try await h.startConnection()
            let callback = try await h.loginAtSimulator(authorize)
            let code = try #require(URLComponents(string: "http://x" + callback)?.queryItems?.first { $0.name == "code" }?.value)
            let before = h.simulator!.handle.tokenRequests
            let missing = try await h.get("/oauth/callback?code=\(code)")
            #expect(missing.status == .badRequest)
            #expect(missing.body.contains("mist de controlewaarde (state)"))
            let wrong = try await h.get("/oauth/callback?code=\(code)&state=verzonnen")
            #expect(wrong.status == .badRequest)
            #expect(wrong.body.contains("hoort niet bij een aanmelding die hier is gestart"))
            #expect(h.simulator!.handle.tokenRequests == before)
            // The real answer works once; replayed it is refused without a token call.
            #expect(try await h.get(callback).status == .seeOther)
            let afterFirst = h.simulator!.handle.tokenRequests
            let replay = try await h.get(callback)
            #expect(replay.status == .badRequest)
            #expect(h.simulator!.handle.tokenRequests == afterFirst)
            // Expired: more than 10 minutes between start and callback.
            let second = try await h.loginAtSimulator(try await h.followToLoket(try await h.post("/loket/verbindingen/1/verbinden", [])))
            h.clock.advance(601)
            let expired = try await h.get(second)
            #expect(expired.status == .badRequest)
            #expect(expired.body.contains("duurde te lang"))
            #expect(h.simulator!.handle.tokenRequests == afterFirst)
        }
    }

    @Test func stateFromAnotherBrowserSessionIsRefused() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let callback = try await h.loginAtSimulator(try await h.startConnection())
            var other = h
            try await other.signIn()
            let before = h.simulator!.handle.tokenRequests
            let page = try await other.get(callback)
            #expect(page.status == .badRequest)
            #expect(page.body.contains("in een ander browservenster gestart"))
            #expect(h.simulator!.handle.tokenRequests == before)
        }
    }

    @Test func callbackWithoutCookieContinuesSameSiteWithoutShowingCodeOrState() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let callback = try await h.loginAtSimulator(try await h.startConnection())
            let items = try #require(URLComponents(string: "http://x" + callback)?.queryItems)
            let anonymous = try await h.send(.get, callback, cookie: false)
            #expect(anonymous.status == .ok)
            for item in items { #expect(!anonymous.body.contains(item.value!)) }
            let next = try #require(anonymous.body.firstMatch(of: /url=(\/oauth\/callback\?doorgaan=[A-Za-z0-9_-]+)/)).1
            let done = try await h.get(String(next))
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/loket/verbindingen/1")
            #expect(try await h.get(String(next)).status == .unauthorized)  // parked answers work once
        }
    }

    @Test func cancellingAtLoketShowsAFriendlyPage() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            let callback = try await h.loginAtSimulator(try await h.startConnection(), cancel: true)
            let page = try await h.get(callback)
            #expect(page.status == .ok)
            #expect(page.body.contains("U heeft de aanmelding bij Loket geannuleerd"))
            #expect(page.body.contains("Opnieuw proberen"))
            #expect(try h.database.connection(id: 1)?.status == .new)
        }
    }

    @Test func tokenEndpointDownStoresNothing() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            // A connection whose auth server is a closed port: Loket is unreachable.
            let start = try await h.post(
                "/loket/verbindingen",
                [("environment", "custom"), ("name", "Dicht"), ("authURL", "http://127.0.0.1:9"), ("apiURL", "http://127.0.0.1:9"), ("clientId", "x"), ("clientSecret", "y")]
            )
            let authorize = try await h.followToLoket(start)
            let state = try #require(URLComponents(string: authorize)?.queryItems?.first { $0.name == "state" }?.value)
            let page = try await h.get("/oauth/callback?code=abc&state=\(state)")
            #expect(page.status == .badRequest)
            #expect(page.body.contains("Loket is niet bereikbaar (POST /token)"))
            #expect(try await h.tokenStore.credentials(for: 1)?.accessToken == nil)
            #expect(try h.database.connection(id: 1)?.status == .new)
        }
    }

    @Test func deadRefreshTokenAsksToReconnectAndKeepsLinks() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            _ = try await h.connect()
            #expect(try await h.post("/loket/verbindingen/1/alles-koppelen", []).status == .seeOther)
            let links = try h.database.links().count
            #expect(links == 5)  // six payroll administrations, one without journal profile
            h.simulator!.handle.revokeRefreshTokens()
            h.simulator!.handle.expireAccessTokens()
            let refresh = try await h.post("/loket/verbindingen/1/vernieuwen", [])
            #expect(refresh.status == .seeOther)
            let list = try await h.get("/loket/verbindingen/1")
            #expect(list.body.contains("Opnieuw verbinden"))
            #expect(list.body.contains("Uw koppelingen en concepten blijven bewaard"))
            #expect(try h.database.connection(id: 1)?.status == .reconnect)
            #expect(try h.database.links().count == links)
            #expect(try h.database.companyList(connectionId: 1).count > 0)
            // Reconnecting brings it back.
            let callback = try await h.loginAtSimulator(try await h.followToLoket(try await h.post("/loket/verbindingen/1/verbinden", [])))
            #expect(try await h.get(callback).status == .seeOther)
            #expect(try h.database.connection(id: 1)?.status == .connected)
        }
    }

    @Test func malformedJSONNamesTheEndpointAndKeepsTheOldList() async throws {
        var configuration = SandboxConfiguration()
        configuration.faults = try SandboxFaults.parse("malformed=1")
        try await Harness.run(simulator: configuration) { h in
            let callback = try await h.loginAtSimulator(try await h.startConnection())
            let done = try await h.get(callback)
            #expect(done.status == .seeOther)
            let list = try await h.get("/loket/verbindingen/1")
            #expect(list.body.contains("Loket stuurde gegevens die loonjournaal niet kan lezen (GET /v2/providers/employers: geen geldige JSON)"))
            #expect(try h.database.companyList(connectionId: 1).isEmpty)
        }
    }

    @Test func disconnectForgetsTokensButKeepsLinks() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            _ = try await h.connect()
            #expect(try await h.post("/loket/verbindingen/1/alles-koppelen", []).status == .seeOther)
            #expect(try await h.post("/loket/verbindingen/1/verbreken", []).status == .seeOther)
            let credentials = try await h.tokenStore.credentials(for: 1)
            #expect(credentials?.accessToken == nil && credentials?.refreshToken == nil)
            #expect(credentials?.clientSecret == "demo-secret")
            #expect(try h.database.links().count == 5)
            #expect(try await h.get("/loket").body.contains("Verbinding verbroken"))
        }
    }

    @Test func pasteFlowForAnExternalRedirectURI() async throws {
        var configuration = SandboxConfiguration()
        configuration.externalRedirectURI = "https://loket.example/terug"
        try await Harness.run(simulator: configuration) { h in
            let created = try await h.post("/loket/verbindingen", [("environment", "simulator"), ("externalRedirectURI", "https://loket.example/terug")])
            #expect(created.headers[.location] == "/loket/verbindingen/1/aanmelden")
            let page = try await h.get("/loket/verbindingen/1/aanmelden")
            #expect(page.body.contains("plak het hieronder"))
            let open = try await h.post("/loket/verbindingen/1/verbinden", [("open", "1")])
            let authorize = try await h.followToLoket(open)
            #expect(authorize.contains("redirect_uri=https%3A%2F%2Floket.example%2Fterug"))
            // The simulator sends the browser to the external address; the user pastes it.
            let simulator = try #require(h.simulator)
            let query = try #require(URLComponents(string: authorize)?.queryItems)
            func value(_ name: String) -> String { query.first { $0.name == name }?.value ?? "" }
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let fields = [("client_id", value("client_id")), ("redirect_uri", value("redirect_uri")), ("state", value("state")),
                          ("code_challenge", value("code_challenge")), ("code_challenge_method", "S256"), ("username", "demo"), ("password", "demo")]
            let login = try await simulator.transport.send(
                LoketHTTPRequest(method: "POST", url: simulator.url + "/authorize", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                 body: Array(fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)),
                timeout: .seconds(60)
            )
            let landed = try #require(login.header("Location"))
            #expect(landed.hasPrefix("https://loket.example/terug?"))
            let bad = try await h.post("/loket/verbindingen/1/code", [("url", "zomaar tekst")])
            #expect(bad.status == .unprocessableContent)
            let done = try await h.post("/loket/verbindingen/1/code", [("url", landed)])
            #expect(done.status == .seeOther)
            #expect(try h.database.connection(id: 1)?.status == .connected)
        }
    }
}

@Suite struct CompanyListTests {
    @Test func linkOneToANewOrExistingAdministrationAndUnlinkAfterConfirmation() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            _ = try await h.connect()
            let bakery = "00002000-0000-4000-8000-000000000001"
            let linked = try await h.post("/loket/verbindingen/1/koppelen", [("payrollAdministrationId", bakery), ("administrationId", "nieuw")])
            #expect(linked.status == .seeOther)
            let administration = try #require(try h.database.administrationSummaries().first)
            #expect(administration.code == "L5001")
            #expect(administration.name == "Bakkerij De Gouden Korst B.V.")
            #expect(try h.database.administration(id: administration.id)?.chamberOfCommerceNumber == "12345678")
            let list = try await h.get("/loket/verbindingen/1")
            #expect(list.body.contains("Gekoppeld aan"))
            #expect(list.body.contains("L5001"))
            // Linked once: a second link of the same payroll administration is refused.
            let again = try await h.post("/loket/verbindingen/1/koppelen", [("payrollAdministrationId", bakery), ("administrationId", "nieuw")])
            #expect(again.status == .seeOther)
            #expect(try await h.get("/loket/verbindingen/1").body.contains("Deze loonadministratie is al gekoppeld (aan L5001)"))
            #expect(try h.database.administrationSummaries().count == 1)
            // Unlink: without confirmation the server asks first.
            let link = try #require(try h.database.links().first)
            let unconfirmed = try await h.post("/loket/koppelingen/\(link.id!)/ontkoppelen", [])
            #expect(unconfirmed.headers[.location] == "/loket/koppelingen/\(link.id!)/ontkoppelen")
            let confirmPage = try await h.get("/loket/koppelingen/\(link.id!)/ontkoppelen")
            #expect(confirmPage.body.contains("Koppeling verwijderen?"))
            #expect(try h.database.links().count == 1)
            #expect(try await h.post("/loket/koppelingen/\(link.id!)/ontkoppelen", [("confirmed", "1")]).status == .seeOther)
            #expect(try h.database.links().isEmpty)
            #expect(try h.database.administrationSummaries().count == 1)  // the administration stays
            // Link to the existing administration.
            let existing = try await h.post(
                "/loket/verbindingen/1/koppelen", [("payrollAdministrationId", bakery), ("administrationId", String(administration.id))]
            )
            #expect(existing.status == .seeOther)
            #expect(try h.database.links().first?.administrationId == administration.id)
        }
    }

    @Test func linkAllLinksEveryListedAdministrationInOneGo() async throws {
        try await Harness.run(simulator: SandboxConfiguration(employers: 40)) { h in
            _ = try await h.connect()
            #expect(try await h.post("/loket/verbindingen/1/alles-koppelen", []).status == .seeOther)
            let list = try await h.get("/loket/verbindingen/1")
            #expect(list.body.contains("40 loonadministratie(s) gekoppeld"))
            #expect(list.body.contains("Niet gekoppeld, want Loket heeft er geen journaalprofiel voor (er valt niets te importeren): Zorg Thuis."))
            let rows = try h.database.companyList(connectionId: 1).filter { $0.payrollAdministrationId != nil }
            #expect(rows.count == 41)
            #expect(rows.filter { $0.linkId == nil }.map(\.name) == ["Zorg Thuis"])
            let codes = try h.database.administrationSummaries().map(\.code)
            #expect(Set(codes).count == 40)
            #expect(codes.contains("L5002") && codes.contains("L5003"))
            // Two administrations of one employer get distinct names.
            #expect(try h.database.administrationSummaries().contains { $0.name == "Installatiebedrijf Van Dijk B.V. – Van Dijk Oproepkrachten (4-weken)" })
            #expect(try await h.post("/loket/verbindingen/1/alles-koppelen", []).status == .seeOther)
            #expect(try h.database.administrationSummaries().count == 40)
        }
    }

    @Test func twoConnectionsAtOnce() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            _ = try await h.connect()
            let second = try await h.loginAtSimulator(try await h.startConnection([("environment", "simulator"), ("name", "Tweede login")]))
            let done = try await h.get(second)
            #expect(done.headers[.location] == "/loket/verbindingen/2")
            #expect(try h.database.connections().map(\.status) == [.connected, .connected])
            #expect(try await h.post("/loket/verbindingen/1/alles-koppelen", []).status == .seeOther)
            let list = try await h.get("/loket/verbindingen/2")
            #expect(list.body.contains("(via een andere verbinding)"))
            #expect(try await h.post("/loket/verbindingen/2/alles-koppelen", []).status == .seeOther)
            #expect(try h.database.links().count == 5)  // the one without journal profile stays unlinked
        }
    }

    @Test func connectFormValidatesInDutch() async throws {
        try await Harness.run { h in
            let page = try await h.post("/loket/verbindingen", [("environment", "custom"), ("name", ""), ("authURL", "ftp://x"), ("apiURL", "http://evil.example"), ("clientId", "met spatie")])
            #expect(page.status == .unprocessableContent)
            #expect(page.body.contains("Vul het adres van de aanmeldserver in"))
            #expect(page.body.contains("http alleen voor 127.0.0.1"))
            #expect(page.body.contains("Vul de client-id in die u van Loket kreeg"))
            #expect(try h.database.connections().isEmpty)
            #expect(try await h.get("/loket/verbindingen/5").status == .notFound)
            #expect(try await h.get("/loket/koppelingen/5/ontkoppelen").status == .notFound)
        }
    }
}
