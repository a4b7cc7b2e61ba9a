import HTTPTypes
import Hummingbird
import Storage

/// The start page: the administrations and the next step.
struct DashboardController {
    let pages: PageSupport
    let jobs: SyncJobs

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/", use: self.dashboard)
    }

    /// GET / — the dashboard; its empty state says to create an administration first.
    @Sendable func dashboard(_ request: Request, context: AppRequestContext) async throws -> Response {
        let links = try self.pages.database.links()
        let linkByAdministration = Dictionary(links.map { ($0.administrationId, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = try self.pages.database.administrationSummaries().map { DashboardPage.Row($0, link: linkByAdministration[$0.id]) }
        let connections = try self.pages.database.connections().map { connection in
            DashboardPage.Connection(
                id: connection.id ?? 0,
                name: connection.name,
                statusText: LoketController.statusText(connection),
                statusClass: connection.status.rawValue,
                needsAttention: connection.status != .connected
            )
        }
        let running = self.jobs.running?.progress
        let last = running == nil ? try self.pages.database.recentSyncs(limit: 1).first : nil
        let lastSync = last.map { run -> String in
            let when = DutchFormat.dateTime(run.startedAt)
            switch run.outcome {
            case "completed": return "Laatst bijgewerkt op \(when): \(DutchFormat.count(run.runsImported)) run(s) geïmporteerd, alles gelukt."
            case "failures": return "Laatst bijgewerkt op \(when): \(DutchFormat.count(run.failed)) administratie(s) mislukt."
            case "cancelled": return "De bijwerkronde van \(when) is gestopt voordat alles klaar was."
            default: return "De bijwerkronde van \(when) is afgebroken (loonjournaal stopte)."
            }
        }
        let page = DashboardPage(
            layout: try self.pages.layout("Overzicht", section: "dashboard", context: context),
            administrations: rows,
            administrationCount: DutchFormat.count(rows.count),
            connections: connections,
            linkCount: links.count,
            hasLinks: !links.isEmpty,
            syncRunning: running.map { SyncPage.Progress($0).text },
            lastSync: lastSync,
            lastSyncFailed: last.map { $0.outcome != "completed" } ?? false
        )
        return self.pages.renderer.render("dashboard", page)
    }
}

extension DashboardPage.Row {
    init(_ summary: AdministrationSummary, link: LoketLinkRecord? = nil) {
        self.init(
            id: summary.id,
            code: summary.code,
            name: summary.name,
            fiscalYear: summary.fiscalYear,
            accounts: summary.accountCount == summary.activeAccountCount
                ? DutchFormat.count(summary.accountCount)
                : "\(DutchFormat.count(summary.activeAccountCount)) actief van \(DutchFormat.count(summary.accountCount))",
            hasNoAccounts: summary.accountCount == 0,
            loketLink: link.map { "\($0.employerName) – \($0.payrollAdministrationName)" },
            drafts: summary.draftCount,
            hasDrafts: summary.draftCount > 0
        )
    }
}
