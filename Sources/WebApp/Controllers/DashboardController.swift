import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// The start page: the administrations and the next step.
struct DashboardController {
    let pages: PageSupport
    let jobs: SyncJobs
    static let pageSize = 50

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.dashboard, use: self.dashboard)
    }

    /// GET / — the dashboard; its empty state says to create an administration first.
    @Sendable func dashboard(_ request: Request, context: AppRequestContext) async throws -> Response {
        // An accountant may keep hundreds of administrations: a page of them, and a search.
        // Read like a form: a GET form sends spaces as "+" (Hummingbird's query parameters keep them).
        let query = FormData.urlEncoded(request.uri.query ?? "")
        let search = String(query["zoek"].trimmingCharacters(in: .whitespaces).prefix(100))
        let requestedPage = try RequestNumber.page(query["pagina"])
        var found = try self.pages.database.administrationSummaries(search: search, limit: Self.pageSize, offset: (requestedPage - 1) * Self.pageSize)
        let pageCount = max((found.total + Self.pageSize - 1) / Self.pageSize, 1)
        let page = min(requestedPage, pageCount)
        if page != requestedPage {
            found = try self.pages.database.administrationSummaries(search: search, limit: Self.pageSize, offset: (page - 1) * Self.pageSize)
        }
        let links = try self.pages.database.links(administrationIds: found.rows.map(\.id))
        let linkByAdministration = Dictionary(links.map { ($0.administrationId, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = found.rows.map { DashboardPage.Row($0, link: linkByAdministration[$0.id]) }
        let linkCount = try self.pages.database.linkCount()
        func link(_ number: Int) -> String {
            var query = ["pagina=\(number)"]
            if !search.isEmpty { query.insert("zoek=\(search.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")", at: 0) }
            return "/?" + query.joined(separator: "&")
        }
        let first = (page - 1) * Self.pageSize + 1
        let connections = try self.pages.database.connections().map { connection in
            DashboardPage.Connection(
                id: connection.id ?? 0,
                name: connection.name,
                statusText: ConnectionController.statusText(connection),
                statusClass: connection.status.rawValue,
                needsAttention: connection.status != .connected
            )
        }
        let running = self.jobs.running?.progress
        let last = running == nil ? try self.pages.database.recentSyncs(limit: 1).first : nil
        let lastSync = last.map { run -> String in
            let when = DutchFormat.dateTime(run.startedAt)
            switch run.outcome {
            case .completed: return "Laatst bijgewerkt op \(when): \(DutchFormat.count(run.runsImported)) run(s) geïmporteerd, alles gelukt."
            case .failures: return "Laatst bijgewerkt op \(when): \(DutchFormat.count(run.failed)) administratie(s) mislukt."
            case .cancelled: return "De bijwerkronde van \(when) is gestopt voordat alles klaar was."
            case nil: return "De bijwerkronde van \(when) is afgebroken (loonjournaal stopte)."
            }
        }
        let view = DashboardPage(
            layout: try self.pages.layout("Overzicht", section: "dashboard", context: context),
            administrations: rows,
            rowsHTML: DashboardRowsHTML.render(rows),
            administrationCount: DutchFormat.count(found.total),
            hasAdministrations: found.total > 0 || !search.isEmpty,
            search: search,
            searching: !search.isEmpty,
            pageText: found.total == 0 ? "" : "\(DutchFormat.count(first))–\(DutchFormat.count(first + rows.count - 1)) van \(DutchFormat.count(found.total))",
            previousPage: page > 1 ? link(page - 1) : nil,
            nextPage: page < pageCount ? link(page + 1) : nil,
            connections: connections,
            linkCount: linkCount,
            hasLinks: linkCount > 0,
            syncRunning: running.map { SyncPage.Progress($0).text },
            lastSync: lastSync,
            lastSyncFailed: last.map { $0.outcome != .completed } ?? false
        )
        return self.pages.renderer.render("dashboard", view)
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
