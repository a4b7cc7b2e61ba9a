import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import NIOCore
import PayrollImport
import Storage

/// The jaaraansluiting lonen: per administration and year our ledger beside Loket's cumulative
/// journal results and the payroll tax returns, with every difference explained; and the summary
/// of all administrations. GET pages read only what is stored; "Vernieuwen uit Loket" asks Loket.
struct YearEndController {
    let pages: PageSupport
    let yearEnd: YearEnd

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.yearEnd(0), use: self.show)
        router.get(.yearEndCSV(0), use: self.csv)
        router.post(.refreshYearEnd(0), use: self.refresh)
        router.get(.yearEndSummary, use: self.summary)
        router.get(.yearEndSummaryCSV, use: self.summaryCSV)
        router.post(.refreshYearEndAll, use: self.refreshAll)
    }

    /// The year asked for (`?jaar=` or the form's `jaar`), else the administration's (or this) year.
    private func year(_ raw: String?, default fallback: Int) throws(AppError) -> Int {
        guard let year = try RequestNumber.year(raw) else { return fallback }
        guard YearEnd.years.contains(year) else { throw AppError.badRequest("Kies een jaar tussen \(YearEnd.years.lowerBound) en \(YearEnd.years.upperBound).") }
        return year
    }

    private var currentYear: Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = DutchFormat.timeZone
        return calendar.component(.year, from: self.pages.now())
    }

    // MARK: - One administration

    /// GET /administraties/:id/jaaraansluiting?jaar=2026
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let year = try self.year(request.uri.queryParameters.get("jaar"), default: administration.fiscalYear)
        guard let report = try self.yearEnd.report(administrationId: administration.id!, year: year) else {
            throw AppError.notFound("Deze administratie bestaat niet (meer).")
        }
        let id = administration.id!
        func amount(_ cents: Int64?) -> String { cents.map { Money(cents: $0).dutch } ?? "" }
        let rows = report.result.rows.map { row in
            YearEndPage.Row(
                account: row.accountNumber, name: row.accountName, isWageTax: row.isWageTax, ledger: amount(row.ledger), loket: row.loket == nil ? "—" : amount(row.loket),
                loketDifference: amount(row.loketDifference), loketDiffers: (row.loketDifference ?? 0) != 0,
                taxReturns: amount(row.taxReturns), taxDifference: amount(row.taxDifference), taxDiffers: (row.taxDifference ?? 0) != 0,
                hasTax: row.taxReturns != nil, reconciles: row.reconciles,
                explanations: (row.loketExplanations.map { ($0, "Loket") } + row.taxExplanations.map { ($0, "aangifte") }).map { explanation, against in
                    YearEndPage.Explanation(
                        cause: explanation.cause.label, causeKey: explanation.cause.rawValue, text: explanation.text, amount: Money(cents: explanation.cents).dutch,
                        against: against, link: explanation.entryId.map { Route.entry(id, entry: EntryID($0)) }
                    )
                }
            )
        }
        let page = YearEndPage(
            layout: try self.pages.layout(
                "Jaaraansluiting lonen \(year)", section: "administrations", context: context, administration: self.pages.header(administration, section: "yearEnd")
            ),
            administrationId: id, year: String(year), name: administration.name, code: administration.code,
            years: ((year - 3)...(year + 1)).reversed().map { YearEndPage.YearOption(value: String($0), selected: $0 == year) },
            rows: rows, hasRows: !rows.isEmpty,
            reconciles: report.result.reconciles, differenceCount: report.result.differenceCount,
            loketFetched: report.result.loketFetched, taxReturnsFetched: report.result.taxReturnsFetched,
            refreshedText: report.refreshedAt.map { "Laatst opgehaald uit Loket: \(DutchFormat.dateTime($0))." },
            problem: report.problem, taxReturnsRefused: report.taxReturnsRefused, wageTaxConfirmed: report.wageTaxConfirmed, linked: report.linked,
            csvLink: Route.yearEndCSV(id).path(query: [("jaar", String(year))]),
            evidenceLink: Route.evidenceExport(id).path(query: [("jaar", String(year))]),
            settingsLink: .settings(id)
        )
        return self.pages.renderer.render("year_end", page)
    }

    /// GET /administraties/:id/jaaraansluiting/csv?jaar=2026
    @Sendable func csv(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let year = try self.year(request.uri.queryParameters.get("jaar"), default: administration.fiscalYear)
        guard let report = try self.yearEnd.report(administrationId: administration.id!, year: year) else {
            throw AppError.notFound("Deze administratie bestaat niet (meer).")
        }
        return Self.download(YearEnd.csv(report), name: "jaaraansluiting-\(administration.code)-\(year).csv")
    }

    /// POST /administraties/:id/jaaraansluiting/vernieuwen — asks Loket, then back to the page.
    @Sendable func refresh(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let year = try self.year(context.postedForm["jaar"], default: administration.fiscalYear)
        let problem = await self.yearEnd.refresh(administrationId: administration.id!, year: year)
        let flash = problem.map { FlashMessage(.error, "Loket kon niet worden gelezen: \($0) De vorige cijfers blijven staan.") }
            ?? FlashMessage(.success, "De cijfers van \(year) zijn uit Loket opgehaald.")
        return self.pages.redirect(to: Route.yearEnd(administration.id!).path(query: [("jaar", String(year))]), flash: flash, context: context)
    }

    // MARK: - All administrations

    enum Filter: String, CaseIterable {
        case all = "alle"
        case differences = "verschillen"
        case reconciles = "sluitend"

        var label: String {
            switch self {
            case .all: "Alle"
            case .differences: "Niet sluitend"
            case .reconciles: "Sluit aan"
            }
        }

        func keeps(_ row: YearEnd.SummaryRow) -> Bool {
            switch self {
            case .all: true
            case .differences: row.state != .reconciles
            case .reconciles: row.state == .reconciles
            }
        }
    }

    /// GET /jaaraansluiting?jaar=2026&filter=verschillen
    @Sendable func summary(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let year = try self.year(query.get("jaar"), default: self.currentYear)
        let filter = query.get("filter").flatMap(Filter.init(rawValue:)) ?? .all
        let all = try self.yearEnd.summary(year: year)
        let shown = all.filter(filter.keeps)
        func link(_ filter: Filter) -> String { Route.yearEndSummary.path(query: [("jaar", String(year)), ("filter", filter.rawValue)]) }
        let page = YearEndSummaryPage(
            layout: try self.pages.layout("Jaaraansluiting lonen \(year)", section: "yearEnd", context: context),
            year: String(year),
            years: ((year - 3)...(year + 1)).reversed().map { YearEndPage.YearOption(value: String($0), selected: $0 == year) },
            filters: Filter.allCases.map { item in
                MonthEndPage.FilterLink(label: "\(item.label) (\(DutchFormat.count(all.filter(item.keeps).count)))", link: link(item), current: item == filter, id: item.rawValue)
            },
            rows: shown.map { row in
                YearEndSummaryPage.Row(
                    code: row.administration.code, name: row.administration.name,
                    link: Route.yearEnd(row.administration.id!).path(query: [("jaar", String(year))]),
                    state: row.state.label, stateKey: row.state.rawValue, differences: row.differences,
                    difference: Money(cents: row.absoluteDifference).dutch,
                    refreshed: row.refreshedAt.map(DutchFormat.dateTime) ?? "nooit", problem: row.problem
                )
            },
            hasLinks: !all.isEmpty,
            reconcileCount: DutchFormat.count(all.filter { $0.state == .reconciles }.count),
            totalCount: DutchFormat.count(all.count),
            csvLink: Route.yearEndSummaryCSV.path(query: [("jaar", String(year))])
        )
        return self.pages.renderer.render("year_end_summary", page)
    }

    /// GET /jaaraansluiting/csv?jaar=2026
    @Sendable func summaryCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let year = try self.year(request.uri.queryParameters.get("jaar"), default: self.currentYear)
        return Self.download(YearEnd.summaryCSV(try self.yearEnd.summary(year: year), year: year), name: "jaaraansluiting-\(year).csv")
    }

    /// POST /jaaraansluiting/vernieuwen — every linked administration, four at a time.
    @Sendable func refreshAll(_ request: Request, context: AppRequestContext) async throws -> Response {
        let year = try self.year(context.postedForm["jaar"], default: self.currentYear)
        let result = await self.yearEnd.refreshAll(year: year)
        let flash = result.problems.isEmpty
            ? FlashMessage(.success, "De cijfers van \(year) zijn voor \(DutchFormat.count(result.done)) administratie(s) uit Loket opgehaald.")
            : FlashMessage(
                .error,
                "\(DutchFormat.count(result.done - result.problems.count)) van \(DutchFormat.count(result.done)) opgehaald. Niet gelukt: "
                    + result.problems.prefix(10).map { "\($0.0): \($0.1)" }.joined(separator: " ")
            )
        return self.pages.redirect(to: Route.yearEndSummary.path(query: [("jaar", String(year))]), flash: flash, context: context)
    }

    static func download(_ text: String, name: String) -> Response {
        // A byte-order mark so that Excel reads the UTF-8 (é, ë) correctly.
        Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", HTTPField.Name("Content-Disposition")!: "attachment; filename=\"\(name)\"", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8)))
        )
    }
}
