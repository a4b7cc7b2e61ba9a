import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import NIOCore
import PayrollImport
import Storage

/// The month-end overview of all clients for one period: refresh from Loket, start missing
/// journal runs, book the period's drafts, confirm the wage-tax accounts, CSV.
struct MonthEndController {
    let pages: PageSupport
    let control: MonthEndControl

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.monthEnd, use: self.show)
        router.get(.monthEndCSV, use: self.csv)
        router.post(.refreshMonthEnd, use: self.refresh)
        router.post(.startJournals, use: self.startJournals)
        router.post(.bookMonthEnd, use: self.book)
        router.post(.confirmWageTaxProposals, use: self.confirmProposals)
    }

    enum Filter: String, CaseIterable {
        case all = "alle"
        case action = "actie"
        case inOrder = "orde"

        var label: String {
            switch self {
            case .all: "Alle"
            case .action: "Actie nodig"
            case .inOrder: "Alles in orde"
            }
        }

        func keeps(_ row: MonthEndRow) -> Bool {
            switch self {
            case .all: true
            case .action: row.needsAction
            case .inOrder: !row.needsAction
            }
        }
    }

    /// GET /maandafsluiting?periode=2026-04&filter=actie — from what is stored; asks Loket nothing.
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = FormData.urlEncoded(request.uri.query ?? "")
        var error: String? = nil
        var period = self.control.defaultPeriod()
        if query.has("periode") {
            if let chosen = ControlPeriod(query["periode"]) {
                period = chosen
            } else {
                error = "\u{201C}\(query["periode"].prefix(20))\u{201D} is geen periode. Kies een periode als 2026-04 (maand, of 4-wekenperiode 01\u{2013}13); hieronder staat \(period.name)."
            }
        }
        let filter = Filter(rawValue: query["filter"]) ?? .all
        let overview = try self.control.overview(period: period)
        return self.pages.renderer.render("month_end", try self.page(overview, filter: filter, error: error, context: context))
    }

    func page(_ overview: MonthEndOverview, filter: Filter, error: String?, context: AppRequestContext) throws -> MonthEndPage {
        let period = overview.period
        let link = self.back
        let shown = overview.rows.filter(filter.keeps)
        let action = overview.needingAction
        let due = overview.rows.filter { $0.check.taxReturn?.totalCents != nil }
        // The periods of this year and the last, 1–13 (13 only for 4-weekly payrolls).
        var options: [MonthEndPage.Option] = []
        for year in [period.year + 1, period.year, period.year - 1] {
            for number in stride(from: 13, through: 1, by: -1) {
                guard let option = ControlPeriod(year: year, number: number) else { continue }
                options.append(MonthEndPage.Option(value: option.text, label: option.number == 13 ? "\(option.text) (4-wekelijks)" : "\(option.text) \(option.name)", selected: option == period))
            }
        }
        return MonthEndPage(
            layout: try self.pages.layout("Maandafsluiting \(period.name)", section: "monthEnd", context: context),
            period: period.text, periodName: period.name, periodOptions: options,
            previousLink: period.previous.map { link($0, filter) }, nextLink: period.next.map { link($0, filter) },
            filter: filter.rawValue,
            filters: Filter.allCases.map { item in
                let count = item == .all ? overview.rows.count : item == .action ? action : overview.rows.count - action
                return MonthEndPage.FilterLink(label: "\(item.label) (\(DutchFormat.count(count)))", link: link(period, item), current: item == filter, id: item.rawValue)
            },
            rowsHTML: MonthEndRowsHTML.render(shown.map(Self.row)),
            shownCount: shown.count,
            totalCount: DutchFormat.count(overview.rows.count), actionCount: DutchFormat.count(action),
            inOrderCount: DutchFormat.count(overview.rows.count - action), allInOrder: action == 0,
            hasLinks: !overview.rows.isEmpty,
            totalDue: Money(cents: overview.totalDueCents).euro, dueCount: DutchFormat.count(due.count),
            earliestDeadline: overview.earliestDeadline.flatMap { try? CalendarDate.parse($0) }?.dutch,
            refreshedText: overview.refreshed.map {
                "Laatst opgehaald uit Loket: \(DutchFormat.dateTime($0.refreshedAt)) (\(DutchFormat.count($0.requests)) verzoek(en) voor \(DutchFormat.count(overview.rows.count)) administratie(s))."
            },
            neverRefreshed: overview.refreshed == nil,
            csvLink: Route.monthEndCSV.path(query: [("periode", period.text)]),
            canStartAny: overview.rows.contains(where: \.canStartJournal),
            error: error
        )
    }

    static func row(_ row: MonthEndRow) -> MonthEndPage.Row {
        func date(_ text: String?) -> String { text.flatMap { try? CalendarDate.parse($0) }?.dutch ?? "" }
        func amount(_ cents: Int64?) -> String { cents.map { Money(cents: $0).euro } ?? "" }
        let taxReturn = row.check.taxReturn
        let tax = row.wageTax
        let bookkeeping: String
        if tax.draftEntries > 0 {
            bookkeeping = "\(tax.draftEntries) concept(en)" + (tax.bookedEntries > 0 ? ", \(tax.bookedEntries) geboekt" : "")
        } else if tax.bookedEntries > 0 {
            bookkeeping = "geboekt"
        } else {
            bookkeeping = "niet geïmporteerd"
        }
        let hasJournal = tax.bookedEntries + tax.draftEntries > 0
        let dates = [date(row.periodStart), date(row.periodEnd)].filter { !$0.isEmpty }
        let checkClass: String
        if row.check.refusal != nil {
            checkClass = "muted"
        } else {
            switch row.check.outcome {
            case .matches, .matchesWithCorrection: checkClass = "balanced"
            case .returnNotReady, .noJournal: checkClass = "muted"
            default: checkClass = "unbalanced"
            }
        }
        return MonthEndPage.Row(
            id: row.target.administrationId, code: row.target.code, name: row.target.name,
            periodDates: dates.count == 2 ? "\(dates[0]) t/m \(dates[1])" : "",
            payrollStatus: row.payrollStatusText ?? "onbekend", journal: row.journalText, bookkeeping: bookkeeping,
            taxReturnStatus: row.taxReturnStatusText, taxReturnAmount: amount(taxReturn?.periodCents),
            correction: (taxReturn?.correctionCents ?? 0) == 0 ? "" : amount(taxReturn?.correctionCents),
            totalDue: amount(taxReturn?.totalCents), deadline: date(taxReturn?.deadline),
            paymentReference: taxReturn?.paymentReference.map(PaymentReference.formatted) ?? "",
            journalWageTax: hasJournal ? Money(cents: tax.totalCents).euro : "",
            difference: row.check.outcome.difference == 0 && !(hasJournal && taxReturn?.periodCents != nil) ? "" : Money(cents: row.check.outcome.difference).euro,
            check: row.checkText, checkClass: checkClass, needsAction: row.needsAction, canStartJournal: row.canStartJournal,
            hasDrafts: tax.draftEntries > 0, gaps: row.gaps.map { $0.text(period: row.check.period) }
        )
    }

    /// GET /maandafsluiting/csv?periode=2026-04
    @Sendable func csv(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireSession()
        let query = FormData.urlEncoded(request.uri.query ?? "")
        guard let period = ControlPeriod(query["periode"]) else {
            throw AppError.badRequest("Kies een periode als 2026-04 (maand, of 4-wekenperiode 01\u{2013}13).")
        }
        let overview = try self.control.overview(period: period)
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"maandafsluiting-\(period.text).csv\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: overview.csv()))
        )
    }

    /// The period and filter a form posted, or a Dutch 400.
    private func posted(_ context: AppRequestContext) throws -> (ControlPeriod, Filter) {
        let form = context.postedForm
        guard let period = ControlPeriod(form["periode"]) else {
            throw AppError.badRequest("Kies een periode als 2026-04 (maand, of 4-wekenperiode 01\u{2013}13). Er is niets gedaan.")
        }
        return (period, Filter(rawValue: form["filter"]) ?? .all)
    }

    /// The overview of a period with a filter: where links and every action lead.
    private func back(_ period: ControlPeriod, _ filter: Filter) -> String {
        Route.monthEnd.path(query: filter == .all ? [("periode", period.text)] : [("periode", period.text), ("filter", filter.rawValue)])
    }

    /// The ticked administrations: linked ones only, each id a positive whole number.
    private func chosen(_ context: AppRequestContext) throws -> [SyncTarget] {
        let values = context.postedForm.values("administration")
        guard values.count <= 10_000 else { throw AppError.badRequest("Te veel administraties in één keer gekozen.") }
        var ids: Set<AdministrationID> = []
        for value in values {
            guard let id = AdministrationID(value) else { throw AppError.badRequest("Ongeldige administratie gekozen; er is niets gedaan.") }
            ids.insert(id)
        }
        return try self.pages.database.syncTargets().filter { ids.contains($0.administrationId) }
    }

    /// POST /maandafsluiting/vernieuwen — asks Loket about the period and imports what became ready.
    @Sendable func refresh(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (period, filter) = try self.posted(context)
        let result = await self.control.refresh(period: period, importReady: true)
        var text = "Opgehaald uit Loket (\(DutchFormat.count(result.requests)) verzoek(en))."
        if result.imported > 0 { text += " \(DutchFormat.count(result.imported)) journaalrun(s) als concept geïmporteerd." }
        let flash = result.problems.isEmpty
            ? FlashMessage(.success, text)
            : FlashMessage(.error, text + " Niet alles kon worden gevraagd: " + result.problems.joined(separator: " "))
        return self.pages.redirect(to: self.back(period, filter), flash: flash, context: context)
    }

    /// POST /maandafsluiting/journaliseren — after confirmation, asks Loket to journalise the
    /// approved payroll runs of the chosen administrations up to the period.
    @Sendable func startJournals(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (period, filter) = try self.posted(context)
        let targets = try self.chosen(context)
        guard !targets.isEmpty else {
            return self.pages.redirect(to: self.back(period, filter), flash: FlashMessage(.error, "Kies eerst één of meer administraties (het vakje vooraan de regel)."), context: context)
        }
        guard context.postedForm["confirmed"] == "1" else {
            let page = StartJournalsConfirmPage(
                layout: try self.pages.layout("Journaliseren starten?", section: "monthEnd", context: context),
                period: period.text, periodName: period.name,
                items: targets.map { StartJournalsConfirmPage.Item(value: String($0.administrationId), code: $0.code, name: $0.name) },
                returnTo: self.back(period, filter)
            )
            return self.pages.renderer.render("month_end_confirm", page)
        }
        let results = await self.control.startJournalRuns(administrationIds: targets.map(\.administrationId), period: period)
        let started = results.filter { !$0.started.isEmpty }
        let failed = results.filter { $0.error != nil }
        var text = started.isEmpty
            ? "Loket heeft geen journaalrun gestart."
            : "Journaliseren gestart voor \(DutchFormat.count(started.count)) administratie(s) (\(DutchFormat.count(started.reduce(0) { $0 + $1.started.count })) journaalrun(s)). "
                + "Kies over een paar minuten \u{2018}Vernieuwen uit Loket\u{2019}: wat klaar is wordt dan als concept geïmporteerd."
        if !failed.isEmpty {
            text += " Niet gelukt: " + failed.map { "\($0.target.code): \($0.error ?? "")" }.joined(separator: " ")
        }
        return self.pages.redirect(to: self.back(period, filter), flash: FlashMessage(failed.isEmpty ? .success : .error, text), context: context)
    }

    /// POST /maandafsluiting/boeken — books the period's drafts of the chosen administrations that
    /// pass every check; names the rest with their reasons.
    @Sendable func book(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (period, filter) = try self.posted(context)
        let targets = try self.chosen(context)
        guard !targets.isEmpty else {
            return self.pages.redirect(to: self.back(period, filter), flash: FlashMessage(.error, "Kies eerst één of meer administraties (het vakje vooraan de regel)."), context: context)
        }
        let results = await self.control.bookDrafts(administrationIds: targets.map(\.administrationId), period: period)
        let booked = results.reduce(0) { $0 + $1.booked.count }
        let refused = results.flatMap { result in result.notBooked.map { (result.target, $0) } }
        var text = booked == 0 ? "Er is niets geboekt." : "\(DutchFormat.count(booked)) boeking(en) geboekt."
        if !refused.isEmpty {
            text += " Niet geboekt (blijven concept): " + refused.prefix(20).map { "\($0.0.code) \($0.1.description): \($0.1.problems.joined(separator: " "))" }.joined(separator: " · ")
            if refused.count > 20 { text += " en nog \(refused.count - 20)." }
        }
        return self.pages.redirect(to: self.back(period, filter), flash: FlashMessage(refused.isEmpty && booked > 0 ? .success : .error, text), context: context)
    }

    /// POST /maandafsluiting/loonheffingsrekening — confirms the proposed wage-tax account of the chosen administrations.
    @Sendable func confirmProposals(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (period, filter) = try self.posted(context)
        let targets = try self.chosen(context)
        guard !targets.isEmpty else {
            return self.pages.redirect(to: self.back(period, filter), flash: FlashMessage(.error, "Kies eerst één of meer administraties (het vakje vooraan de regel)."), context: context)
        }
        let (confirmed, without) = try self.control.confirmProposals(administrationIds: targets.map(\.administrationId))
        var text = confirmed.isEmpty ? "Er was geen voorstel te bevestigen." : "Loonheffingsrekening bevestigd voor \(DutchFormat.count(confirmed.count)) administratie(s)."
        let codes = Dictionary(targets.map { ($0.administrationId, $0.code) }, uniquingKeysWith: { first, _ in first })
        if !without.isEmpty {
            text += " Zonder voorstel (kies de rekening bij Instellingen): " + without.compactMap { codes[$0] }.joined(separator: ", ") + "."
        }
        return self.pages.redirect(to: self.back(period, filter), flash: FlashMessage(without.isEmpty ? .success : .error, text), context: context)
    }
}
