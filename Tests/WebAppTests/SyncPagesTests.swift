import Foundation
import HTTPTypes
import Hummingbird
import LoketClient
import LoketSandbox
import Storage
import Testing

@testable import WebApp

extension Harness {
    /// The JSON the progress bar polls.
    func syncProgress() async throws -> [String: Any] {
        let page = try await self.get("/bijwerken/voortgang")
        #expect(page.status == .ok)
        #expect(page.headers[.contentType]?.hasPrefix("application/json") == true)
        return try #require(try JSONSerialization.jsonObject(with: Data(page.body.utf8)) as? [String: Any])
    }

    /// Polls until the running sync has ended; returns the last progress.
    func waitForSyncToEnd() async throws -> [String: Any] {
        for _ in 0..<600 {
            let progress = try await self.syncProgress()
            if let phase = progress["phase"] as? String, phase != "running" && phase != "cancelling" { return progress }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the sync did not end within 30 s")
        return [:]
    }
}

@Suite struct SyncPagesTests {
    @Test func allesBijwerkenRunsInTheBackgroundOneAtATimeAndEndsWithASummary() async throws {
        try await Harness.run(simulator: SandboxConfiguration(latencyMilliseconds: 150)) { h in
            _ = try await h.linkedWithStarterChart()
            let dashboard = try await h.get("/")
            #expect(dashboard.body.contains("id=\"sync-all\""))
            #expect(dashboard.body.contains("action=\"/bijwerken\""))

            let started = try await h.post("/bijwerken", [])
            #expect(started.status == .seeOther)
            #expect(started.headers[.location] == "/bijwerken")
            // A second click while it runs shows the running one; it does not start another.
            let second = try await h.post("/bijwerken", [])
            #expect(second.status == .seeOther)
            let running = try await h.get("/bijwerken")
            #expect(running.body.contains("Er loopt al een bijwerkronde"))
            #expect(running.body.contains("id=\"sync-progress\""))
            #expect(running.body.contains("data-sync-running"))
            let home = try await h.get("/")
            #expect(home.body.contains("Bijwerken loopt"))
            #expect(!home.body.contains("id=\"sync-all\""))

            let progress = try await h.syncProgress()
            #expect(progress["total"] as? Int == 6)

            let end = try await h.waitForSyncToEnd()
            #expect(end["phase"] as? String == "finished")
            #expect(end["done"] as? Int == 6)
            let imported = try #require(end["runsImported"] as? Int)
            #expect(imported == 10)
            #expect(try h.database.recentSyncs().count == 1)

            let summary = try await h.get("/bijwerken")
            #expect(summary.status == .ok)
            #expect(summary.body.contains("id=\"sync-summary\""))
            #expect(summary.body.contains("Klaar: alles is bijgewerkt."))
            #expect(summary.body.contains("<dd id=\"sync-imported\">10</dd>"))
            #expect(summary.body.contains("<dd id=\"sync-failed\">0</dd>"))
            #expect(summary.body.contains("1 run(s) nog niet klaar in Loket"))
            // Empty is explained: Journaal Basis (Zorg Thuis) versus no run yet (Groen Hoveniers).
            #expect(summary.body.contains("nog Journaal Basis of de oude journaalmodule"))
            #expect(summary.body.contains("Nog geen journaalrun in Loket."))
            #expect(!summary.body.contains("id=\"sync-retry\""))
            #expect(try await h.get("/").body.contains("Laatst bijgewerkt op"))

            // Again: nothing new.
            _ = try await h.post("/bijwerken", [])
            let again = try await h.waitForSyncToEnd()
            #expect(again["runsImported"] as? Int == 0)
            #expect(try h.database.recentSyncs().count == 2)
        }
    }

    @Test func failuresAreNamedAndRetryTakesOnlyThoseAfterReconnecting() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            _ = try await h.linkedWithStarterChart()
            // The user revoked the app in Loket: every administration fails with "opnieuw verbinden".
            h.simulator!.handle.revokeRefreshTokens()
            h.simulator!.handle.expireAccessTokens()
            _ = try await h.post("/bijwerken", [])
            let end = try await h.waitForSyncToEnd()
            #expect(end["failed"] as? Int == 6)
            let summary = try await h.get("/bijwerken")
            // Honest: nothing was updated; one dead connection is one reason, with the way out.
            #expect(summary.body.contains("Niets bijgewerkt: alle 6 administratie(s) mislukten."))
            #expect(!summary.body.contains("zijn bijgewerkt"))
            let reasons = Set(summary.body.matches(of: /<strong>Mislukt:<\/strong> ([^<]+)/).map { String($0.1) })
            #expect(reasons.count == 1, "\(reasons)")
            #expect(summary.body.contains("data-reconnect>Opnieuw verbinden: "))
            #expect(summary.body.contains("id=\"sync-retry\""))
            #expect(try await h.get("/").body.contains("6 administratie(s) mislukt"))

            let authorize = try await h.followToLoket(try await h.post("/loket/verbindingen/1/verbinden", []))
            let callback = try await h.loginAtSimulator(authorize)
            #expect(try await h.get(callback).status == .seeOther)

            let retry = try await h.post("/bijwerken/opnieuw", [])
            #expect(retry.status == .seeOther)
            let retried = try await h.waitForSyncToEnd()
            #expect(retried["total"] as? Int == 6)
            #expect(retried["failed"] as? Int == 0)
            #expect(retried["runsImported"] as? Int == 10)
            let after = try await h.get("/bijwerken")
            #expect(after.body.contains("Klaar: alles is bijgewerkt."))
            // Nothing left to retry.
            _ = try await h.post("/bijwerken/opnieuw", [])
            #expect(try await h.get("/bijwerken").body.contains("Er is niets opnieuw te proberen"))
        }
    }

    @Test func cancelFromThePageKeepsWhatCameIn() async throws {
        try await Harness.run(simulator: SandboxConfiguration(employers: 12, latencyMilliseconds: 100)) { h in
            _ = try await h.linkedWithStarterChart()
            #expect(try await h.post("/bijwerken/instellingen", [("concurrency", "1")]).status == .seeOther)
            _ = try await h.post("/bijwerken", [])
            var done = 0
            while done < 1 {
                done = try await h.syncProgress()["done"] as? Int ?? 0
                try await Task.sleep(for: .milliseconds(20))
            }
            let cancel = try await h.post("/bijwerken/annuleren", [])
            #expect(cancel.status == .seeOther)
            let end = try await h.waitForSyncToEnd()
            #expect(end["phase"] as? String == "cancelled")
            let summary = try await h.get("/bijwerken")
            #expect(summary.body.contains("Gestopt op uw verzoek"))
            #expect(summary.body.contains("Overgeslagen (gestopt)."))
            #expect(summary.body.contains("id=\"sync-retry\""))
            #expect(try h.database.entriesWithoutLines() == 0)
        }
    }

    @Test func concurrencySettingIsCheckedAndKept() async throws {
        try await Harness.run { h in
            #expect(try h.database.syncConcurrency() == 4)
            for bad in ["0", "17", "vier", ""] {
                #expect(try await h.post("/bijwerken/instellingen", [("concurrency", bad)]).status == .seeOther)
                #expect(try await h.get("/bijwerken").body.contains("een heel getal van 1 tot en met 16"))
            }
            #expect(try h.database.syncConcurrency() == 4)
            _ = try await h.post("/bijwerken/instellingen", [("concurrency", "8")])
            let page = try await h.get("/bijwerken")
            #expect(page.body.contains("8 administratie(s) tegelijk"))
            #expect(page.body.contains("value=\"8\""))
            #expect(try h.database.syncConcurrency() == 8)
            // Without links there is nothing to start, and the page says where to link.
            #expect(page.body.contains("nog geen administratie aan Loket gekoppeld"))
            _ = try await h.post("/bijwerken", [])
            #expect(try h.database.recentSyncs().isEmpty)
        }
    }

    @Test func startingNeedsTheCSRFTokenAndTheProgressNeedsASession() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            _ = try await h.linkedWithStarterChart()
            let forged = try await h.post("/bijwerken", [], csrf: "wrong")
            #expect(forged.status == .forbidden)
            let crossSite = try await h.post("/bijwerken", [], headers: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site", .origin: "http://evil.example"])
            #expect(crossSite.status == .forbidden)
            #expect(try h.database.recentSyncs().isEmpty)
            let anonymous = try await h.send(.get, "/bijwerken/voortgang", cookie: false)
            #expect(anonymous.status != .ok)
            #expect(!anonymous.body.contains("phase"))
        }
    }
}
