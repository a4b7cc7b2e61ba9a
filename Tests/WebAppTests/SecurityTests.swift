import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import LoketClient
import PayrollImport
import Storage
import Testing

@testable import WebApp

/// The hostile requests of style-and-security.md B.8, and what must happen to them.
@Suite struct SecurityTests {
    // B.8 #1
    @Test func refusesToBindAnythingButLoopback() throws {
        let temp = try TempDirectory()
        let directory = DataDirectory(url: temp.url)
        let database = try AppDatabase.openLive(at: directory.databaseURL, backupDirectory: directory.backupsURL)
        #expect(throws: AppStartError.notLoopback("0.0.0.0")) {
            _ = try buildApplication(
                AppConfiguration(hostname: "0.0.0.0", port: 0),
                dependencies: AppDependencies(
                    database: database,
                    loket: LoketService(database: database, tokenStore: InMemoryTokenStore(), transport: NoNetwork()),
                    logger: Logger(label: "t")
                )
            )
        }
        #expect(AppConfiguration().hostname == "127.0.0.1")
    }

    // B.8 #2 (pure)
    @Test func hostPolicy() {
        let policy = HostPolicy(port: 8420)
        #expect(policy.decide("127.0.0.1:8420") == .canonical)
        #expect(policy.decide("LOCALHOST:8420") == .redirectToCanonical)
        #expect(policy.decide("[::1]:8420") == .redirectToCanonical)
        for refused in ["evil.example:8420", "127.0.0.1:8421", "127.0.0.1", "localhost.:8420", "127.0.0.1.nip.io:8420", "", "[::1]"] {
            #expect(policy.decide(refused) == .refuse, "\(refused)")
        }
        #expect(policy.decide(nil) == .refuse)
    }

    // B.8 #2 (live)
    @Test func hostHeaderAllowListFailsClosed() async throws {
        try await Harness.run { h in
            #expect(try await h.send(.get, "/", authority: "evil.example:\(h.port)").status == .forbidden)
            #expect(try await h.send(.get, "/", authority: "evil.example").status == .forbidden)
            #expect(try await h.send(.get, "/", authority: "127.0.0.1:\(h.port + 1)").status == .forbidden)
            #expect(try await h.send(.get, "/static/css/app.css", authority: "evil.example").status == .forbidden)
            // No Host at all, and Host not as the first header (authority nil, header present).
            let noHost = try await h.send(.get, "/", authority: "", cookie: true)
            #expect(noHost.status == .badRequest || noHost.status == .forbidden, "\(noHost.status)")
            let second = try await h.client.execute(
                TestClient.Request("/", method: .get, authority: nil, headers: [.cookie: h.cookie, HTTPField.Name("Host")!: "evil.example"])
            )
            #expect(second.status == .forbidden)
            let good = try await h.client.execute(
                TestClient.Request("/", method: .get, authority: nil, headers: [.cookie: h.cookie, HTTPField.Name("Host")!: h.host])
            )
            #expect(good.status == .ok)
            #expect(try await h.send(.get, "/", authority: h.host).status == .ok)
        }
    }

    // B.8 #3
    @Test func aliasesRedirectToTheCanonicalOriginBeforeAnyCookie() async throws {
        try await Harness.run(signedIn: false) { h in
            let response = try await h.send(.get, "/launch?token=abc", authority: "localhost:\(h.port)")
            #expect(response.status == .found)
            #expect(response.headers[.location] == "http://127.0.0.1:\(h.port)/launch?token=abc")
            #expect(response.headers[.setCookie] == nil)
        }
    }

    // B.8 #4 and #6
    @Test func launchTokenIsSingleUseShortLivedAndBecomesAStrictCookie() async throws {
        try await Harness.run(signedIn: false) { h in
            let url = h.running.launchURL()
            let path = String(url.dropFirst(h.origin.count))
            let first = try await h.send(.get, path)
            #expect(first.status == .seeOther)
            #expect(first.headers[.location] == "/")
            let cookie = try #require(first.headers[.setCookie])
            #expect(cookie.hasPrefix("loonjournaal-127-0-0-1-\(h.port)="))
            let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            #expect(attributes.contains("httponly"))
            #expect(attributes.contains("samesite=strict"))
            #expect(attributes.contains("path=/"))
            #expect(!attributes.contains { $0.hasPrefix("domain") })
            let value = cookie.split(separator: ";")[0].split(separator: "=")[1]
            #expect(value.count >= 43)  // 256 bits, base64url
            #expect(try await h.send(.get, path).status == .forbidden)  // reuse
            #expect(try await h.send(.get, "/launch?token=wrong").status == .forbidden)
            #expect(try await h.send(.get, "/launch").status == .forbidden)
            let late = String(h.running.launchURL().dropFirst(h.origin.count))
            h.clock.advance(121)
            #expect(try await h.send(.get, late).status == .forbidden)
        }
    }

    // B.8 #7
    @Test func everyPageNeedsASession() async throws {
        try await Harness.run { h in
            _ = try await h.post("/administraties", [("code", "A1"), ("name", "Test"), ("fiscalYear", "2026")])
            let paths = [
                "/", "/administraties", "/administraties/nieuw", "/administraties/1", "/administraties/1/wijzigen",
                "/administraties/1/rekeningen", "/administraties/1/rekeningen/1",
            ]
            for path in paths {
                #expect(try await h.get(path).status == .ok || path.hasSuffix("/rekeningen/1"), "\(path) signed in")
                let anonymous = try await h.send(.get, path, cookie: false)
                #expect(anonymous.status == .unauthorized, "\(path)")
                #expect(anonymous.body.contains("loonjournaal open"))
                let forged = try await h.send(.get, path, headers: [.cookie: "loonjournaal-127-0-0-1-\(h.port)=forged"], cookie: false)
                #expect(forged.status == .unauthorized, "\(path) forged")
            }
            #expect(try await h.send(.get, "/health", cookie: false).status == .ok)
            #expect(try await h.send(.get, "/static/css/app.css", cookie: false).status == .ok)
        }
    }

    // B.8 #8
    @Test func crossOriginPostsAreRefused() async throws {
        try await Harness.run { h in
            let fields = [("code", "X1"), ("name", "Test"), ("fiscalYear", "2026")]
            let hostile: [HTTPFields] = [
                [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"],
                [HTTPField.Name("Sec-Fetch-Site")!: "same-site"],
                [HTTPField.Name("Sec-Fetch-Site")!: "same-origin", .origin: "http://127.0.0.1:3000"],
                [.origin: "http://127.0.0.1:\(h.port + 1)"],
                [.origin: "http://evil.example"],
                [.origin: "null"],
                [.origin: "http://localhost:\(h.port)"],
            ]
            for headers in hostile {
                #expect(try await h.post("/administraties", fields, headers: headers).status == .forbidden, "\(headers)")
            }
            #expect(try h.database.administrationSummaries().isEmpty)
            // Without any cookie the same foreign post is refused too (not a 401 that tells anything).
            let anonymous = try await h.send(
                .post,
                "/administraties",
                headers: [.contentType: "application/x-www-form-urlencoded", .origin: "http://evil.example"],
                body: ByteBuffer(string: "code=X&name=Y&fiscalYear=2026"),
                cookie: false
            )
            #expect(anonymous.status == .forbidden)
            #expect(try await h.post("/administraties", fields).status == .seeOther)
            #expect(try h.database.administrationSummaries().count == 1)
            // What Chromium sends for our own form under `Referrer-Policy: no-referrer`.
            let browserLike: HTTPFields = [HTTPField.Name("Sec-Fetch-Site")!: "same-origin", .origin: "null"]
            #expect(try await h.post("/administraties", [("code", "X2"), ("name", "Twee"), ("fiscalYear", "2026")], headers: browserLike).status == .seeOther)
        }
    }

    // B.8 #9
    @Test func csrfTokenIsRequired() async throws {
        try await Harness.run { h in
            let fields = [("code", "X1"), ("name", "Test"), ("fiscalYear", "2026")]
            #expect(try await h.post("/administraties", fields + [("_csrf", "")]).status == .forbidden)
            #expect(try await h.post("/administraties", fields, csrf: "wrong-token").status == .forbidden)
            // No Origin / Fetch Metadata at all (a non-browser client) still needs the token.
            #expect(try await h.post("/administraties", fields, csrf: "wrong", headers: [:]).status == .forbidden)
            #expect(try h.database.administrationSummaries().isEmpty)
            #expect(try await h.post("/administraties", fields, headers: [:]).status == .seeOther)
            // The token is never in a URL of any page.
            let page = try await h.get("/administraties/1/rekeningen")
            #expect(!page.body.contains("_csrf=") && !page.body.contains("?\(h.csrf)"))
        }
    }

    // B.8 #10
    @Test func getNeverChangesState() async throws {
        try await Harness.run { h in
            _ = try await h.post("/administraties", [("code", "A1"), ("name", "Test"), ("fiscalYear", "2026")])
            for path in ["/administraties/1/rekeningschema/standaard", "/administraties/1/rekeningschema/import", "/administraties/1/rekeningen/1/deactiveren"] {
                let status = try await h.get(path).status
                #expect(status == .notFound || status == .methodNotAllowed, "\(path): \(status)")
            }
            #expect(try h.database.accounts(administrationId: 1).isEmpty)
        }
    }

    // B.8 #11 and #12
    @Test func securityHeadersAndNoCORS() async throws {
        try await Harness.run { h in
            let page = try await h.get("/", headers: [.origin: "http://evil.example"])
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("form-action 'self'") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("base-uri 'none'") == true)
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.headers[.accessControlAllowOrigin] == nil)
            let options = try await h.send(.options, "/", headers: [.origin: "http://evil.example", .accessControlRequestMethod: "POST"])
            #expect(options.headers[.accessControlAllowOrigin] == nil)
            #expect(options.headers[.accessControlAllowMethods] == nil)
            let css = try await h.get("/static/css/app.css")
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.headers[.cacheControl]?.contains("max-age") == true)
            #expect(css.headers[.xContentTypeOptions] == "nosniff")
            let error = try await h.get("/bestaat-niet")
            #expect(error.status == .notFound)
            #expect(error.headers[.contentSecurityPolicy] != nil)
        }
    }

    // B.8 #13
    @Test func templatesNeverEmitUnescapedOutputAndHostileTextIsEscaped() async throws {
        for name in PageRenderer.templateNames {
            let source = try #require(PageRenderer.templateSource(name))
            // The one exception: `{{{…HTML}}}` prints a `SafeHTML`, which only escaped text gets into.
            let withoutSafeHTML = source.replacing(/\{\{\{[A-Za-z]+HTML\}\}\}/, with: "")
            #expect(!withoutSafeHTML.contains("{{{") && !withoutSafeHTML.contains("{{&"), "\(name) has unescaped output")
        }
        try await Harness.run { h in
            let hostile = "<script>\"'&"
            #expect(try await h.post("/administraties", [("code", "X1"), ("name", hostile), ("fiscalYear", "2026")]).status == .seeOther)
            _ = try await h.post("/administraties/1/rekeningen", [("number", "4000"), ("name", hostile), ("type", "W")])
            for path in ["/", "/administraties", "/administraties/1", "/administraties/1/rekeningen", "/administraties/1/rekeningen/1"] {
                let body = try await h.get(path).body
                #expect(!body.contains("<script>\""), "\(path)")
                #expect(body.contains("&lt;script&gt;&quot;&#39;&amp;"), "\(path)")
            }
            // Invalid input is echoed back escaped as well.
            let form = try await h.post("/administraties", [("code", "<b>"), ("name", hostile), ("fiscalYear", "x")])
            #expect(form.status == .unprocessableContent)
            #expect(!form.body.contains("<b>") && form.body.contains("&lt;b&gt;"))
        }
    }

    // B.8 #14
    @Test func unexpectedErrorsShowNoInternalsButAreLogged() async throws {
        struct Boom: Error { let secret = "geheime-interne-fout-42" }
        let logs = LogCapture()
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ErrorPageMiddleware(renderer: try PageRenderer(), logger: logs.logger()))
        router.get("/boom") { _, _ -> String in throw Boom() }
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/boom", method: .get) { response in
                #expect(response.status == .internalServerError)
                let body = String(buffer: response.body)
                #expect(!body.contains("geheime-interne-fout-42"))
                #expect(!body.contains("Boom"))
                #expect(body.contains("Er ging iets mis"))
            }
        }
        #expect(logs.text.contains("geheime-interne-fout-42"))
    }

    // B.8 #15
    @Test func returnAddressesStayInsideTheAdministration() async throws {
        #expect(EntryController.safeReturn("/administraties/3/boekingen/4", administrationId: 3) == "/administraties/3/boekingen/4")
        for hostile in ["https://evil.example", "//evil.example", "/\\evil.example", "/administraties/4/x", "/administraties/3//evil", "javascript:alert(1)"] {
            #expect(EntryController.safeReturn(hostile, administrationId: 3) == "/administraties/3/instellingen", "\(hostile)")
        }
        try await Harness.run { h in
            #expect(try await h.post("/administraties", [("code", "A1"), ("name", "Test"), ("fiscalYear", "2026")]).status == .seeOther)
            let response = try await h.post("/administraties/1/rekeningkoppelingen", [("code", "4050"), ("accountId", "x"), ("returnTo", "https://evil.example/")])
            #expect(response.headers[.location] == "/administraties/1/instellingen")
        }
    }

    // B.8 #16
    @Test func logsNeverContainTokensOrQueryStrings() async throws {
        try await Harness.run(signedIn: false) { h in
            let url = h.running.launchURL()
            let token = String(url.split(separator: "=").last!)
            try await h.signIn()
            _ = try await h.send(.get, "/launch?token=\(token)")
            _ = try await h.get("/")
            let logs = h.logs.text
            #expect(logs.contains("/launch"))
            #expect(!logs.contains(token))
            #expect(!logs.contains("token="))
            #expect(!logs.contains(h.csrf))
            #expect(!logs.contains(String(h.cookie.split(separator: "=")[1])))
        }
    }

    // B.8 #23
    @Test func oversizedBodiesAreRefusedWith413() async throws {
        try await Harness.run { h in
            let big = [UInt8](repeating: 0x61, count: 3 * 1024 * 1024)
            let page = try await h.upload("/administraties", file: big, filename: "groot.csv")
            #expect(page.status == .contentTooLarge)
            #expect(page.body.contains("te groot"))
            #expect(try h.database.administrationSummaries().isEmpty)
        }
    }
}

/// A transport for tests that must not reach Loket at all.
struct NoNetwork: LoketHTTPTransport {
    func send(_ request: LoketHTTPRequest, timeout: Duration) async throws -> LoketHTTPResponse {
        throw TransportError.unreachable("no network in this test")
    }
}
