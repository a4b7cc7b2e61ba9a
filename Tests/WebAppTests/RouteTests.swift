import Foundation
import HTTPTypes
import LoketSandbox
import PayrollImport
import Testing

@testable import WebApp

/// The one route table: every path is printed from the same parts the router registers, and
/// every route reaches a handler.
@Suite struct RouteTests {
    /// One example of every route (ids 7, 8; period 3).
    static let examples: [Route] = [
        .dashboard, .launch, .health, .favicon, .signedOut, .administrations, .newAdministration, .administration(7), .editAdministration(7), .accounts(7),
        .account(7, account: 8), .deactivateAccount(7, account: 8), .activateAccount(7, account: 8), .chartImport(7), .starterChart(7),
        .unknownAccounts(7), .charts, .applyChart, .defaultChart, .copyMappings,
        .runs(7), .importRuns(7), .importRunAgain(7), .entries(7), .entry(7, entry: 8), .deleteDraft(7, entry: 8), .reverseEntry(7, entry: 8),
        .retryWriteBack(7, entry: 8), .mapLoketCode(7), .createAccountFromLoket(7), .settings(7), .payrollFile(7), .importPayrollFile(7),
        .journal(7), .accountCard(7, account: 8), .trialBalance(7), .periods(7), .closePeriod(7, period: 3), .reopenPeriod(7, period: 3),
        .export(7), .loket, .connections, .connect(connection: 7), .pasteLogin(connection: 7), .pastedCode(connection: 7),
        .disconnect(connection: 7), .oauthCallback, .forwardPage, .forwardToLoket, .companies(connection: 7), .refreshCompanies(connection: 7),
        .link(connection: 7), .linkAll(connection: 7), .unlink(link: 7), .sync, .syncProgress, .retrySync, .cancelSync, .syncSettings,
        .monthEnd, .monthEndCSV, .refreshMonthEnd, .startJournals, .bookMonthEnd, .confirmWageTaxProposals, .wageTax(7), .copyWageTax(7),
        .roundingLine(7, entry: 8), .attachment(7, entry: 8, attachment: 9), .attachmentTable(7, entry: 8, attachment: 9), .addAttachment(7, entry: 8),
        .removeAttachment(7, entry: 8, attachment: 9), .fetchEvidence(7, entry: 8), .evidenceExport(7), .yearEnd(7), .yearEndCSV(7), .refreshYearEnd(7),
        .yearEndSummary, .yearEndSummaryCSV, .refreshYearEndAll,
        .signOut,  // last: it ends the session
    ]

    /// Fails to compile when a route is added without an example above.
    static func covered(_ route: Route) -> Bool {
        switch route {
        case .dashboard, .launch, .health, .favicon, .signOut, .signedOut, .administrations, .newAdministration, .administration, .editAdministration, .accounts, .account,
            .deactivateAccount, .activateAccount, .chartImport, .starterChart, .unknownAccounts, .charts, .applyChart, .defaultChart, .copyMappings, .runs, .importRuns, .importRunAgain, .entries, .entry, .deleteDraft,
            .reverseEntry, .retryWriteBack, .mapLoketCode, .createAccountFromLoket, .settings, .payrollFile, .importPayrollFile, .journal,
            .accountCard, .trialBalance, .periods, .closePeriod, .reopenPeriod, .export, .loket, .connections, .connect, .pasteLogin, .pastedCode,
            .disconnect, .oauthCallback, .forwardPage, .forwardToLoket, .companies, .refreshCompanies, .link, .linkAll, .unlink, .sync,
            .syncProgress, .retrySync, .cancelSync, .syncSettings, .monthEnd, .monthEndCSV, .refreshMonthEnd, .startJournals, .bookMonthEnd,
            .confirmWageTaxProposals, .wageTax, .copyWageTax, .roundingLine, .attachment, .attachmentTable, .addAttachment, .removeAttachment,
            .fetchEvidence, .evidenceExport, .yearEnd, .yearEndCSV, .refreshYearEnd, .yearEndSummary, .yearEndSummaryCSV, .refreshYearEndAll:
            true
        }
    }

    @Test func everyPathIsItsPatternFilledIn() {
        #expect(Self.examples.allSatisfy(Self.covered))
        for route in Self.examples {
            var filled = route.pattern
            for part in route.parts {
                if case .parameter(let name, let value) = part { filled = filled.replacingOccurrences(of: ":" + name, with: value) }
            }
            #expect(filled == route.path, "\(route)")
        }
        #expect(Set(Self.examples.map(\.pattern)).count == Self.examples.count)
        #expect(Route.entry(3, entry: 17).path == "/administraties/3/boekingen/17")
        #expect(Route.entry(3, entry: 17).pattern == "/administraties/:id/boekingen/:entryId")
        #expect(Route.dashboard.path == "/")
        #expect(Route.oauthCallback.path == LoketService.callbackPath)
        #expect(Route.journal(3).path(query: [("jaar", "2026"), ("zoek", "a b&c")]) == "/administraties/3/grootboek?jaar=2026&zoek=a%20b%26c")
    }

    /// Every printed path is answered by a handler (never the router's own "page does not exist").
    @Test func everyRouteReachesAHandler() async throws {
        try await Harness.run { h in
            let routerNotFound = "Deze pagina bestaat niet (meer). Ga terug naar het overzicht."
            for route in Self.examples {
                // A form's route answers GET, POST or both; a POST-only route is not the router's 404 when posted.
                var page = try await h.get(route.path)
                if page.body.contains(routerNotFound) { page = try await h.post(route.path, []) }
                #expect(!page.body.contains(routerNotFound), "\(route): \(page.status)")
            }
            // And the router's 404 is what an unknown path gets, so the check above can fail.
            try await h.signIn()
            #expect(try await h.get("/administraties/7/bestaat-niet").body.contains(routerNotFound))
        }
    }

    /// Templates and the page script print paths only from `Route`: no app path is written out
    /// by hand (only `/static/` files are), and every name after a dot in a link is a route's
    /// name, so a typo cannot print an empty link.
    @Test func templatesWriteNoPathByHand() throws {
        let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var handWritten: [String] = []
        var unknownNames: [String] = []
        var dottedLinks = 0
        let templates = root.appending(path: "Templates")
        for name in try FileManager.default.contentsOfDirectory(atPath: templates.path()).sorted() where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: templates.appending(path: name), encoding: .utf8)
            for match in text.matches(of: /(?:href|action|data-[a-z]+|name="returnTo" value)="([^"]*)"/) {
                let value = String(match.1)
                if value.hasPrefix("/") && !value.hasPrefix("/static/") { handWritten.append("\(name): \(value)") }
                for tag in value.matches(of: /\{\{([a-zA-Z]+(?:\.[a-zA-Z]+)+)\}\}/) where tag.1 != "layout.csrfToken" {
                    dottedLinks += 1
                    let last = String(tag.1.split(separator: ".").last ?? "")
                    if !TemplatePathNames.all.contains(last) { unknownNames.append("\(name): \(tag.1)") }
                }
            }
        }
        let script = try String(contentsOf: root.appending(path: "Public/js/app.js"), encoding: .utf8)
        for match in script.matches(of: /["'`](\/[a-z][^"'`\s]*)/) { handWritten.append("app.js: \(match.1)") }
        #expect(handWritten.isEmpty, "\(handWritten)")
        #expect(unknownNames.isEmpty, "\(unknownNames)")
        #expect(dottedLinks > 60)
        // Every route case a template may name is one of the names checked above.
        #expect(TemplatePathNames.all.isSuperset(of: ["journal", "refreshCompanies", "sync", "reverseEntry", "accountCard"]))
    }

    /// A path the router answers (its pattern with `:name` for any one segment).
    static func isRoutePath(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return Self.examples.contains { route in
            let pattern = route.pattern.split(separator: "/", omittingEmptySubsequences: false)
            return pattern.count == segments.count && zip(pattern, segments).allSatisfy { $0.hasPrefix(":") ? !$1.isEmpty : $0 == $1 }
        }
    }

    /// Walks every page reachable by links from the start page of an office with a linked,
    /// imported and booked administration: every link and form prints a path that a handler
    /// answers, and no link is empty.
    @Test(.timeLimit(.minutes(3))) func everyRenderedLinkReachesAHandler() async throws {
        try await Harness.run(simulator: SandboxConfiguration()) { h in
            _ = try await LedgerPagesTests().bookedBakery(h)
            let routerNotFound = "Deze pagina bestaat niet (meer). Ga terug naar het overzicht."
            // The sync page is reached by the dashboard's button (a POST), so it starts the walk too.
            var queue = ["/", "/bijwerken"]
            var seen = Set(queue)
            var posts: Set<String> = []
            var visited = 0
            while !queue.isEmpty && visited < 400 {
                let path = queue.removeFirst()
                visited += 1
                let page = try await h.get(path)
                #expect(page.status.code < 500 && !page.body.contains(routerNotFound), "GET \(path): \(page.status)")
                guard page.headers[.contentType]?.hasPrefix("text/html") == true else { continue }
                #expect(!page.body.contains("href=\"\"") && !page.body.contains("action=\"\""), "empty link on \(path)")
                for form in page.body.matches(of: /<form\b[^>]*>/) {
                    let tag = String(form.output)
                    guard let action = tag.firstMatch(of: /action="([^"]*)"/)?.1 else { continue }
                    if tag.contains("method=\"post\"") {
                        posts.insert(String(action))
                    } else if seen.insert(String(action)).inserted {
                        queue.append(String(action))
                    }
                }
                for link in page.body.matches(of: /href="(\/[^"#]*)"/) {
                    let target = String(link.1).replacingOccurrences(of: "&amp;", with: "&")
                    if target.hasPrefix("/static/") || target.hasPrefix("/launch") { continue }
                    if seen.insert(target).inserted { queue.append(target) }
                }
            }
            // The walk reached the deep pages, and every form posts to a route.
            for expected in ["/administraties/1/grootboek", "/administraties/1/proefbalans", "/administraties/1/perioden", "/loket/verbindingen/1", "/administraties/1/instellingen"] {
                #expect(seen.contains { $0.hasPrefix(expected) }, "\(expected) not reached")
            }
            #expect(seen.contains { $0.contains("/grootboek/rekening/") } && seen.contains { $0.contains("/boekingen/") })
            #expect(posts.contains { $0.hasSuffix("/terugboeken") } && posts.contains { $0.hasSuffix("/afsluiten") })
            for action in posts { #expect(Self.isRoutePath(action), "POST \(action)") }
            #expect(!Self.isRoutePath("/administraties/1/boekingen/1/bestaat-niet"))
        }
    }
}
