import Foundation
import HTTPTypes
import PayrollImport
import Testing

@testable import WebApp

/// The one route table: every path is printed from the same parts the router registers, and
/// every route reaches a handler.
@Suite struct RouteTests {
    /// One example of every route (ids 7, 8; period 3).
    static let examples: [Route] = [
        .dashboard, .launch, .health, .administrations, .newAdministration, .administration(7), .editAdministration(7), .accounts(7),
        .account(7, account: 8), .deactivateAccount(7, account: 8), .activateAccount(7, account: 8), .chartImport(7), .starterChart(7),
        .runs(7), .importRuns(7), .importRunAgain(7), .entries(7), .entry(7, entry: 8), .deleteDraft(7, entry: 8), .reverseEntry(7, entry: 8),
        .retryWriteBack(7, entry: 8), .mapLoketCode(7), .createAccountFromLoket(7), .settings(7), .payrollFile(7), .importPayrollFile(7),
        .journal(7), .accountCard(7, account: 8), .trialBalance(7), .periods(7), .closePeriod(7, period: 3), .reopenPeriod(7, period: 3),
        .export(7), .loket, .connections, .connect(connection: 7), .pasteLogin(connection: 7), .pastedCode(connection: 7),
        .disconnect(connection: 7), .oauthCallback, .forwardPage, .forwardToLoket, .companies(connection: 7), .refreshCompanies(connection: 7),
        .link(connection: 7), .linkAll(connection: 7), .unlink(link: 7), .sync, .syncProgress, .retrySync, .cancelSync, .syncSettings,
    ]

    /// Fails to compile when a route is added without an example above.
    static func covered(_ route: Route) -> Bool {
        switch route {
        case .dashboard, .launch, .health, .administrations, .newAdministration, .administration, .editAdministration, .accounts, .account,
            .deactivateAccount, .activateAccount, .chartImport, .starterChart, .runs, .importRuns, .importRunAgain, .entries, .entry, .deleteDraft,
            .reverseEntry, .retryWriteBack, .mapLoketCode, .createAccountFromLoket, .settings, .payrollFile, .importPayrollFile, .journal,
            .accountCard, .trialBalance, .periods, .closePeriod, .reopenPeriod, .export, .loket, .connections, .connect, .pasteLogin, .pastedCode,
            .disconnect, .oauthCallback, .forwardPage, .forwardToLoket, .companies, .refreshCompanies, .link, .linkAll, .unlink, .sync,
            .syncProgress, .retrySync, .cancelSync, .syncSettings:
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
            #expect(try await h.get("/administraties/7/bestaat-niet").body.contains(routerNotFound))
        }
    }
}
