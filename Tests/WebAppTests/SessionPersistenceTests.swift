import Crypto
import Foundation
import HTTPTypes
import Storage
import Testing

@testable import WebApp

/// Sessions that survive closing the browser and restarting loonjournaal, kept hashed; ended by
/// "Afmelden" or after a working day; and a draft typed after its session ended is kept.
@Suite struct SessionPersistenceTests {
    static func hash(_ text: String) -> String { SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined() }

    @Test func theCookieLastsAWorkingDayAndTheDatabaseKeepsOnlyItsHash() async throws {
        try await Harness.run(signedIn: false) { h in
            let url = h.running.launchURL()
            let launch = try await h.send(.get, String(url.dropFirst(h.origin.count)), authority: h.host, cookie: false)
            let cookie = try #require(launch.headers[.setCookie])
            #expect(cookie.hasPrefix("loonjournaal-127-0-0-1-\(h.port)="))
            #expect(cookie.contains("Max-Age=43200"))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            let token = String(cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)[1])
            // Stored as its SHA-256 only: the cookie value itself is not a key of any session.
            #expect(try h.database.browserSession(tokenHash: Self.hash(token)) != nil)
            #expect(try h.database.browserSession(tokenHash: token) == nil)
            // The launch link worked once.
            #expect(try await h.send(.get, String(url.dropFirst(h.origin.count)), authority: h.host, cookie: false).status == .forbidden)

            // A restart: a new store on the same database knows the session and its CSRF token.
            let clock = h.clock
            let restarted = SessionStore(database: h.database, now: { clock.now })
            let again = try #require(restarted.session(for: token))
            #expect(again.csrfToken == SessionStore.csrfToken(for: token))
            #expect(restarted.session(for: token + "x") == nil)
            // After a working day it is over, in memory and after a restart alike.
            h.clock.advance(12 * 3600 + 1)
            #expect(restarted.session(for: token) == nil)
            #expect(SessionStore(database: h.database, now: { clock.now }).session(for: token) == nil)
        }
    }

    @Test func signingOffEndsTheSessionAlsoAfterARestart() async throws {
        try await Harness.run { h in
            let token = String(h.cookie.split(separator: "=", maxSplits: 1)[1])
            let out = try await h.post("/afmelden", [])
            #expect(out.status == .seeOther)
            #expect(out.headers[.location] == "/afgemeld")
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            let gone = try await h.get("/")
            #expect(gone.status == .unauthorized)
            #expect(gone.body.contains("loonjournaal open"))
            #expect(try await h.send(.get, "/afgemeld", cookie: false).body.contains("U bent afgemeld"))
            let clock = h.clock
            #expect(SessionStore(database: h.database, now: { clock.now }).session(for: token) == nil)
            #expect(try h.database.browserSession(tokenHash: Self.hash(token))?.revokedAt != nil)
            // Signing off needs the session's own form token (no sign-off from elsewhere).
            try await h.signIn()
            #expect(try await h.post("/afmelden", [], csrf: "wrong").status == .forbidden)
            #expect(try await h.get("/").status == .ok)
        }
    }

    @Test(.timeLimit(.minutes(2))) func aDraftTypedAfterTheSessionEndedIsOfferedAgain() async throws {
        try await Harness.run(simulator: .init()) { h in
            let ids = try await h.linkedWithStarterChart()
            let bakery = ids[Seed.bakery]!
            let entry = try await h.importRun(bakery, Seed.run(admin: 1, 1))
            let path = "/administraties/\(bakery)/boekingen/\(entry)"
            let fields = RunImportTests.replacing(try RunImportTests.formFields(try await h.get(path).body), "description", with: "Getypt na afmelden")
            let csrf = h.csrf
            _ = try await h.post("/afmelden", [])
            // The old tab posts: refused, nothing saved, the typing kept.
            let refused = try await h.post(path, fields + [("action", "save")], csrf: csrf)
            #expect(refused.status == .unauthorized)
            #expect(refused.body.contains("Wat u typte is bewaard"))
            #expect(try h.database.entry(id: entry, administrationId: bakery)?.description != "Getypt na afmelden")
            // Another page's post is not kept.
            #expect(try await h.post("/administraties", [("code", "X")], csrf: csrf).status == .forbidden)
            // Back in: the entry offers it; shown in the form on request; saved only by the user.
            try await h.signIn()
            let offered = try await h.get(path)
            #expect(offered.body.contains("Bewaarde invoer terugzetten"))
            let link = try #require(offered.body.range(of: "\(path)?bewaard=")).upperBound
            let id = offered.body[link...].prefix { $0.isNumber }
            let restored = try await h.get("\(path)?bewaard=\(id)")
            #expect(restored.status == .ok)
            #expect(restored.body.contains("value=\"Getypt na afmelden\""))
            #expect(try h.database.entry(id: entry, administrationId: bakery)?.description != "Getypt na afmelden")
            let saved = try await h.post(path, try RunImportTests.formFields(restored.body) + [("action", "save")])
            #expect(saved.status == .seeOther)
            #expect(try h.database.entry(id: entry, administrationId: bakery)?.description == "Getypt na afmelden")
            #expect(!(try await h.get(path)).body.contains("Bewaarde invoer terugzetten"))
        }
    }
}
