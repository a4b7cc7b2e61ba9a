import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Reports
import Storage

/// The booked ledger of an administration: journal, account card, trial balance, periods
/// (close and reopen) and the XAF/CSV downloads.
struct LedgerController {
    let pages: PageSupport
    let exporter: LedgerExporter
    let temporaryDirectory: URL
    static let pageSize = 100

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.journal(0), use: self.journal)
        router.get(.accountCard(0, account: 0), use: self.accountCard)
        router.get(.trialBalance(0), use: self.trialBalance)
        router.get(.periods(0), use: self.periods)
        router.post(.closePeriod(0, period: 0), use: self.close)
        router.post(.reopenPeriod(0, period: 0), use: self.reopen)
        router.get(.export(0), use: self.download)
    }

    private func year(_ request: Request, _ administration: AdministrationRecord) throws(AppError) -> Int {
        try RequestNumber.year(request.uri.queryParameters.get("jaar")) ?? administration.fiscalYear
    }

    private func layout(_ title: String, _ administration: AdministrationRecord, _ context: AppRequestContext) throws -> Layout {
        try self.pages.layout(title, section: "administrations", context: context, administration: self.pages.header(administration, section: "ledger"))
    }

    /// GET /administraties/:id/grootboek — booked lines, newest first, filtered by period, account and source.
    @Sendable func journal(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let id = administration.id!
        let year = try self.year(request, administration)
        let query = request.uri.queryParameters
        let period = try RequestNumber.period(query.get("periode"))
        let count = try self.pages.periodCount(id)
        let accountId = try RequestNumber.id(query.get("rekening"), invalid: "Ongeldige rekening")
        let source = query.get("bron").flatMap(EntrySource.init(rawValue:))
        let page = try RequestNumber.page(query.get("pagina"))
        let (lines, total) = try self.pages.database.journalLines(
            administrationId: id, year: year, period: period, accountId: accountId, source: source, limit: Self.pageSize, offset: (page - 1) * Self.pageSize
        )
        let totals = try self.pages.database.trialBalance(administrationId: id, year: year, period: period)
            .filter { accountId == nil || $0.accountId == accountId }
        // Bounded by JournalLimits (at most 10^15 per side); checked all the same.
        let debit = try Money.sum(totals.lazy.map { Money(cents: $0.debitCents) })
        let credit = try Money.sum(totals.lazy.map { Money(cents: $0.creditCents) })
        let pages = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        func link(_ target: Int) -> String {
            var items = [("jaar", String(year)), ("pagina", String(target))]
            if let period { items.append(("periode", String(period))) }
            if let accountId { items.append(("rekening", String(accountId))) }
            if let source { items.append(("bron", source.rawValue)) }
            return Route.journal(id).path(query: items)
        }
        var exportProblem: String?
        do {
            _ = try self.exporter.check(administration: administration, year: year, format: .xaf)
        } catch let error as ExportError {
            exportProblem = error.description
        }
        let accounts = try self.pages.database.accounts(administrationId: id)
        let view = LedgerPage(
            layout: try self.layout("Grootboek \(year)", administration, context),
            administrationId: id,
            year: year,
            years: Self.years(around: administration.fiscalYear, selected: year),
            periods: [LedgerPage.Option(value: "", label: "alle perioden", selected: period == nil)]
                + FiscalPeriods.periods(count: count, used: period.map { [$0] } ?? []).map {
                    LedgerPage.Option(value: String($0), label: FiscalPeriods.name($0, count: count), selected: $0 == period)
                },
            accounts: [LedgerPage.Option(value: "", label: "alle rekeningen", selected: accountId == nil)]
                + accounts.map { LedgerPage.Option(value: String($0.id!), label: "\($0.number) \($0.name)", selected: $0.id == accountId) },
            sources: [LedgerPage.Option(value: "", label: "alle bronnen", selected: source == nil)]
                + [(EntrySource.loket, "Loket"), (.reversal, "terugboekingen"), (.file, "salarisbestand"), (.manual, "handmatig")]
                .map { (value: EntrySource, label: String) in LedgerPage.Option(value: value.rawValue, label: label, selected: value == source) },
            lines: lines.map { line in
                LedgerPage.Line(
                    entryId: line.entryId, entryLink: .entry(id, entry: line.entryId), number: "\(line.fiscalYear)-\(line.number)",
                    date: (try? CalendarDate.parse(line.entryDate).dutch) ?? line.entryDate, period: line.period,
                    accountId: line.accountId, accountLink: .accountCard(id, account: line.accountId), account: "\(line.accountNumber) \(line.accountName)",
                    description: line.description.isEmpty ? line.entryDescription : line.description, costCenter: line.costCenter ?? "",
                    debit: line.debitCents == 0 ? "" : Money(cents: line.debitCents).dutch, credit: line.creditCents == 0 ? "" : Money(cents: line.creditCents).dutch
                )
            },
            hasLines: !lines.isEmpty,
            debitTotal: debit.dutch,
            creditTotal: credit.dutch,
            balanced: accountId != nil || debit == credit,
            pageText: "pagina \(page) van \(pages) (\(DutchFormat.count(total)) regels)",
            previousPage: page > 1 ? link(page - 1) : nil,
            nextPage: page < pages ? link(page + 1) : nil,
            exports: ExportFormat.allCases.map { LedgerPage.Export(format: $0.rawValue, label: $0.label) },
            exportProblem: exportProblem
        )
        return self.pages.renderer.render("ledger", view)
    }

    static func years(around fiscalYear: Int, selected: Int) -> [LedgerPage.Option] {
        Set([fiscalYear - 1, fiscalYear, fiscalYear + 1, selected]).sorted().map { LedgerPage.Option(value: String($0), label: String($0), selected: $0 == selected) }
    }

    /// GET /administraties/:id/grootboek/rekening/:accountId — account card with running balance.
    @Sendable func accountCard(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let id = administration.id!
        let year = try self.year(request, administration)
        guard let accountId = context.parameters.get("accountId", as: Int64.self), let account = try self.pages.database.account(id: accountId, administrationId: id) else {
            throw AppError.notFound("Deze rekening bestaat niet in administratie \(administration.code).")
        }
        let page = try RequestNumber.page(request.uri.queryParameters.get("pagina"))
        let (lines, total) = try self.pages.database.accountCard(
            administrationId: id, accountId: accountId, year: year, limit: Self.pageSize, offset: (page - 1) * Self.pageSize
        )
        let rows = lines.map { line, balance in
            AccountCardPage.Line(
                entryId: line.entryId, entryLink: .entry(id, entry: line.entryId), number: "\(line.fiscalYear)-\(line.number)",
                date: (try? CalendarDate.parse(line.entryDate).dutch) ?? line.entryDate, period: line.period, description: line.description.isEmpty ? line.entryDescription : line.description,
                debit: line.debitCents == 0 ? "" : Money(cents: line.debitCents).dutch, credit: line.creditCents == 0 ? "" : Money(cents: line.creditCents).dutch,
                balance: Money(cents: balance).dutch
            )
        }
        let year_totals = try self.pages.database.trialBalance(administrationId: id, year: year, period: nil).first { $0.accountId == accountId }
        let pages = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        let base = Route.accountCard(id, account: accountId).path(query: [("jaar", String(year))]) + "&pagina="
        let view = AccountCardPage(
            layout: try self.layout("Grootboekkaart \(account.number)", administration, context),
            administrationId: id, year: year, account: "\(account.number) \(account.name)", lines: rows,
            debitTotal: Money(cents: year_totals?.debitCents ?? 0).dutch, creditTotal: Money(cents: year_totals?.creditCents ?? 0).dutch,
            balance: try (Money(cents: year_totals?.debitCents ?? 0) - Money(cents: year_totals?.creditCents ?? 0)).dutch,
            pageText: "pagina \(page) van \(pages) (\(DutchFormat.count(total)) regels)",
            previousPage: page > 1 ? base + String(page - 1) : nil,
            nextPage: page < pages ? base + String(page + 1) : nil
        )
        return self.pages.renderer.render("account_card", view)
    }

    /// GET /administraties/:id/proefbalans — per account the period and the year to date, the
    /// balance split into debit and credit, balance sheet and P&L with subtotals, the result;
    /// `formaat=csv` downloads the same.
    @Sendable func trialBalance(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let id = administration.id!
        let year = try self.year(request, administration)
        let period = try RequestNumber.period(request.uri.queryParameters.get("periode"))
        let count = try self.pages.periodCount(id)
        let rows = try self.pages.database.trialBalance(administrationId: id, year: year, period: period)
        let report = try TrialBalanceReport(
            rows.map {
                TrialBalanceReport.Account(
                    accountId: $0.accountId, number: $0.number, name: $0.name, type: AccountType(rawValue: $0.type) ?? .balance,
                    debit: Money(cents: $0.debitCents), credit: Money(cents: $0.creditCents),
                    debitToDate: Money(cents: $0.debitToDateCents), creditToDate: Money(cents: $0.creditToDateCents)
                )
            }
        )
        let periodLabel = period.map { "\(FiscalPeriods.name($0, count: count)) \(year)" } ?? "heel \(year)"
        if let format = request.uri.queryParameters.get("formaat") {
            guard format == "csv" else { throw AppError.badRequest("Onbekend formaat \u{201C}\(format.prefix(20))\u{201D}: kies csv.") }
            let title = "Proefbalans \(administration.code) \(administration.name) – \(periodLabel)"
            let name = "proefbalans-\(administration.code)-\(year)\(period.map { "-\($0 < 10 ? "0" : "")\($0)" } ?? "").csv"
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                    .contentDisposition: "attachment; filename=\"\(name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })\"",
                ],
                body: .init(byteBuffer: ByteBuffer(string: report.csv(title: title)))
            )
        }
        func amounts(_ label: String, _ t: TrialBalanceReport.Totals) -> TrialBalancePage.Amounts {
            TrialBalancePage.Amounts(
                label: label, debit: t.debit.dutch, credit: t.credit.dutch, debitToDate: t.debitToDate.dutch, creditToDate: t.creditToDate.dutch,
                balanceDebit: t.balanceDebit.dutch, balanceCredit: t.balanceCredit.dutch
            )
        }
        func blank(_ money: Money) -> String { money.isZero ? "" : money.dutch }
        let used = Set(try self.pages.database.periodStates(administrationId: id, year: year).filter { $0.bookedEntries > 0 }.map(\.period))
        var query = [("jaar", String(year)), ("formaat", "csv")]
        if let period { query.insert(("periode", String(period)), at: 1) }
        let view = TrialBalancePage(
            layout: try self.layout("Proefbalans \(year)", administration, context),
            administrationId: id, year: year, period: period.map(String.init) ?? "", periodLabel: periodLabel,
            periods: [LedgerPage.Option(value: "", label: "heel het jaar", selected: period == nil)]
                + FiscalPeriods.periods(count: count, used: used).map { LedgerPage.Option(value: String($0), label: FiscalPeriods.name($0, count: count), selected: $0 == period) },
            sections: report.sections.map { section in
                TrialBalancePage.Section(
                    title: section.type == .balance ? "Balans" : "Winst en verlies",
                    rowsHTML: TrialBalanceRowsHTML.render(section.accounts.map { row in
                        TrialBalancePage.Row(
                            accountId: row.accountId, cardLink: Route.accountCard(id, account: row.accountId).path(query: [("jaar", String(year))]), number: row.number, name: row.name,
                            type: row.type.rawValue, debit: blank(row.debit), credit: blank(row.credit), debitToDate: blank(row.debitToDate),
                            creditToDate: blank(row.creditToDate), balanceDebit: blank(row.balanceDebit), balanceCredit: blank(row.balanceCredit)
                        )
                    }),
                    subtotal: amounts(section.type == .balance ? "Totaal balans" : "Totaal winst en verlies", section.totals)
                )
            },
            hasRows: !rows.isEmpty,
            total: amounts("Totaal", report.totals),
            periodResult: Self.result(report.periodResult), resultToDate: Self.result(report.resultToDate),
            reconciles: report.reconciles,
            csvLink: Route.trialBalance(id).path(query: query)
        )
        return self.pages.renderer.render("trial_balance", view)
    }

    /// The periods of the year the administration has (12 or 13; 13 also when something is booked or closed in it).
    func periodRows(_ id: AdministrationID, year: Int) throws -> [PeriodState] {
        let count = try self.pages.periodCount(id)
        let states = try self.pages.database.periodStates(administrationId: id, year: year)
        let used = Set(states.filter { $0.bookedEntries > 0 || $0.closed }.map(\.period))
        let shown = Set(FiscalPeriods.periods(count: count, used: used))
        return states.filter { shown.contains($0.period) }
    }

    /// "winst 1.234,56", "verlies 1.234,56" or "0,00".
    static func result(_ money: Money) -> String {
        money.isZero ? "0,00" : (money.cents > 0 ? "winst " : "verlies ") + money.magnitude.dutch
    }


    /// GET /administraties/:id/perioden
    @Sendable func periods(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        return try self.periodsPage(administration, year: self.year(request, administration), error: nil, context: context, status: .ok)
    }

    private func periodsPage(_ administration: AdministrationRecord, year: Int, error: String?, context: AppRequestContext, status: HTTPResponse.Status) throws -> Response {
        let id = administration.id!
        let count = try self.pages.periodCount(id)
        let view = PeriodsPage(
            layout: try self.layout("Perioden \(year)", administration, context),
            administrationId: id, year: year,
            rows: try self.periodRows(id, year: year).map {
                PeriodsPage.Row(period: $0.period, name: FiscalPeriods.name($0.period, count: count), closed: $0.closed, closedAt: $0.closedAt.map(DutchFormat.dateTime), entries: $0.bookedEntries,
                    close: .closePeriod(id, period: $0.period), reopen: .reopenPeriod(id, period: $0.period)
                )
            },
            error: error
        )
        return self.pages.renderer.render("periods", view, status: status)
    }

    /// POST /administraties/:id/perioden/:period/afsluiten
    @Sendable func close(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let (year, period) = try self.periodParameters(context, administration)
        try self.pages.bookkeeping.closePeriod(administrationId: administration.id!, year: year, period: period)
        return self.pages.redirect(
            to: Route.periods(administration.id!).path(query: [("jaar", String(year))]),
            flash: FlashMessage(.success, "Periode \(period) van \(year) is afgesloten: er kan niet meer in worden geboekt."),
            context: context
        )
    }

    /// POST /administraties/:id/perioden/:period/heropenen — needs a reason, which is recorded.
    @Sendable func reopen(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let (year, period) = try self.periodParameters(context, administration)
        do {
            try self.pages.bookkeeping.reopenPeriod(administrationId: administration.id!, year: year, period: period, reason: context.postedForm["reason"])
        } catch PeriodError.reasonRequired {
            return try self.periodsPage(administration, year: year, error: "Geef een reden op om periode \(period) te heropenen; die wordt vastgelegd.", context: context, status: .unprocessableContent)
        } catch PeriodError.invalidReason(let message) {
            return try self.periodsPage(administration, year: year, error: message, context: context, status: .unprocessableContent)
        }
        return self.pages.redirect(
            to: Route.periods(administration.id!).path(query: [("jaar", String(year))]), flash: FlashMessage(.success, "Periode \(period) van \(year) is heropend."), context: context
        )
    }

    private func periodParameters(_ context: AppRequestContext, _ administration: AdministrationRecord) throws -> (Int, Int) {
        guard let period = context.parameters.get("period", as: Int.self), (1...13).contains(period) else {
            throw AppError.notFound("Deze periode bestaat niet (kies 1 tot en met 13).")
        }
        let year = try RequestNumber.year(context.postedForm["jaar"]) ?? administration.fiscalYear
        return (year, period)
    }

    /// GET /administraties/:id/export?jaar=2026&formaat=xaf|xaf4|csv — a download, written to a
    /// private temporary file first (nothing half-written reaches the user) and streamed from it.
    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let year = try self.year(request, administration)
        guard let format = request.uri.queryParameters.get("formaat").flatMap(ExportFormat.init(rawValue:)) else {
            throw AppError.badRequest("Kies een exportformaat: xaf, xaf4 of csv.")
        }
        let name = LedgerExporter.fileName(code: administration.code, year: year, format: format)
        do {
            return try FileDownload.response(in: self.temporaryDirectory, name: name, contentType: format.contentType) { file in
                try self.exporter.export(administration: administration, year: year, format: format, to: file)
            }
        } catch let error as ExportError {
            return self.pages.redirect(
                to: Route.journal(administration.id!).path(query: [("jaar", String(year))]), flash: FlashMessage(.error, error.description), context: context
            )
        }
    }
}

/// A file written to a private temporary directory first (nothing half-written reaches the
/// user), then streamed from it.
enum FileDownload {
    static func response(in temporaryDirectory: URL, name: String, contentType: String, write: (URL) throws -> Void) throws -> Response {
        let directory = temporaryDirectory.appending(path: "loonjournaal-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = directory.appending(path: name)
        // Whatever happens next, the directory goes: on failure now, on success as soon as the
        // finished file is open (an open file stays readable after its name is gone, so a
        // download that is never read or breaks off leaves nothing behind either).
        let handle: FileHandle
        let size: Int?
        do {
            defer { try? FileManager.default.removeItem(at: directory) }
            try write(file)
            size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue
            handle = try FileHandle(forReadingFrom: file)
        }
        let body = ResponseBody(contentLength: size) { writer in
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: contentType, HTTPField.Name("Content-Disposition")!: "attachment; filename=\"\(name)\"", .cacheControl: "no-store"],
            body: body
        )
    }
}
