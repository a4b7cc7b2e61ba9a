import Foundation
import Hummingbird
import Ledger
import PayrollImport
import Storage

/// Journal runs of a linked administration, their import as draft entries, the draft editor,
/// booking (with the write-back to Loket), reversal, and the account mappings.
struct EntryController {
    let pages: PageSupport
    let importer: RunImporter

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.runs(0), use: self.runs)
        router.post(.importRuns(0), use: self.importRuns)
        router.post(.importRunAgain(0), use: self.importAgain)
        router.get(.entries(0), use: self.entries)
        router.get(.entry(0, entry: 0), use: self.show)
        router.post(.entry(0, entry: 0), use: self.save)
        router.post(.deleteDraft(0, entry: 0), use: self.delete)
        router.post(.reverseEntry(0, entry: 0), use: self.reverse)
        router.post(.retryWriteBack(0, entry: 0), use: self.retryWriteBack)
        router.post(.mapLoketCode(0), use: self.map)
        router.post(.createAccountFromLoket(0), use: self.createAccount)
        router.get(.settings(0), use: self.settings)
        router.post(.settings(0), use: self.saveSettings)
    }

    // MARK: - Runs

    /// GET /administraties/:id/runs
    @Sendable func runs(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let id = administration.id!
        let layout = try self.pages.layout("Loonjournaalruns", section: "administrations", context: context, administration: self.pages.header(administration, section: "runs"))
        do {
            let overview = try await self.importer.overview(administrationId: id)
            let rows = overview.rows.map { row -> RunsPage.Row in
                let run = row.run
                let dates = [run.periodStart, run.periodEnd].compactMap { $0.flatMap { try? CalendarDate.parse(String($0.prefix(10))).dutch } }
                let hasPeriod = run.payrollYear != nil || run.payrollPeriod != nil
                return RunsPage.Row(
                    id: run.id,
                    sequence: run.sequenceNumber,
                    period: hasPeriod
                        ? "\(run.payrollYear.map(String.init) ?? "?") periode \(run.payrollPeriod.map { $0 < 10 ? "0\($0)" : String($0) } ?? "?")" : "onbekend",
                    dates: dates.joined(separator: " t/m "),
                    loketStatus: "\(run.statusKey) · \(run.statusText ?? "")",
                    state: row.state.label,
                    stateClass: row.state.rawValue,
                    reason: row.reason,
                    importable: row.importable,
                    isDifference: row.isDifference,
                    entry: row.entry.flatMap(\.id).map { Route.entry(id, entry: $0) },
                    canImportAgain: row.state == .reversed
                )
            }
            var automatic = false
            if case .noRunsYet(let value) = overview.emptyExplanation { automatic = value }
            let page = RunsPage(
                layout: layout, administrationId: id,
                linkText: "\(overview.link.employerName) – \(overview.link.payrollAdministrationName)",
                rows: rows, hasImportable: rows.contains(where: \.importable), importableCount: rows.filter(\.importable).count,
                noJournalProfile: overview.emptyExplanation == .noJournalProfile,
                noRunsYet: { if case .noRunsYet = overview.emptyExplanation { return true } else { return false } }(),
                automatic: automatic, error: nil
            )
            return self.pages.renderer.render("runs", page)
        } catch {
            let page = RunsPage(
                layout: layout, administrationId: id, linkText: "", rows: [], hasImportable: false, importableCount: 0,
                noJournalProfile: false, noRunsYet: false, automatic: false, error: error.explanation
            )
            return self.pages.renderer.render("runs", page, status: error == .notLinked ? .conflict : .badGateway)
        }
    }

    /// POST /administraties/:id/runs/import — one run (`runId`), a selection, or all new runs (`all=1`).
    @Sendable func importRuns(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let id = administration.id!
        let form = context.postedForm
        let runIds = form.values("runId")
        let all = form["all"] == "1"
        guard all || !runIds.isEmpty else {
            return self.pages.redirect(to: Route.runs(id).path, flash: FlashMessage(.info, "Kies eerst een of meer runs om te importeren."), context: context)
        }
        let outcomes: [RunImporter.RunImportOutcome]
        do {
            outcomes = try await self.importer.importRuns(administrationId: id, all ? .allNew : .runs(runIds))
        } catch {
            return self.pages.redirect(to: Route.runs(id).path, flash: FlashMessage(.error, error.explanation), context: context)
        }
        guard !outcomes.isEmpty else {
            return self.pages.redirect(to: Route.runs(id).path, flash: FlashMessage(.info, "Kies eerst een of meer runs om te importeren."), context: context)
        }
        var created = 0
        var failures: [String] = []
        var lastEntry: EntryID?
        for outcome in outcomes {
            switch outcome.result {
            case .success(let imported):
                lastEntry = imported.entryId
                if imported.created { created += 1 }
            case .failure(let error):
                failures.append(error.explanation)
            }
        }
        if outcomes.count == 1, let lastEntry, failures.isEmpty {
            let text = created == 1 ? "Concept aangemaakt. Controleer de regels en boek." : "Deze run had al een boeking; die wordt getoond."
            return self.pages.redirect(to: Route.entry(id, entry: lastEntry).path, flash: FlashMessage(created == 1 ? .success : .info, text), context: context)
        }
        var text = "\(created) concept(en) aangemaakt."
        if !failures.isEmpty { text += " Niet gelukt: " + failures.joined(separator: " ") }
        return self.pages.redirect(to: Route.runs(id).path, flash: FlashMessage(failures.isEmpty ? .success : .error, text), context: context)
    }

    /// POST /administraties/:id/runs/opnieuw — a reversed run imported again as a new draft.
    @Sendable func importAgain(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let id = administration.id!
        do {
            let outcome = try await self.importer.importRuns(administrationId: id, .runs([context.postedForm["runId"]]), again: true).first
            let imported = try outcome.map { try $0.result.get() }
            guard let imported else { throw RunImporter.ImportError.runNotFound }
            return self.pages.redirect(to: Route.entry(id, entry: imported.entryId).path, flash: FlashMessage(.success, "De run is opnieuw geïmporteerd als nieuw concept."), context: context)
        } catch let error as RunImporter.ImportError {
            return self.pages.redirect(to: Route.runs(id).path, flash: FlashMessage(.error, error.explanation), context: context)
        }
    }

    // MARK: - Entries

    static let entriesPageSize = 100

    /// GET /administraties/:id/boekingen — searchable by description or number, filtered by
    /// status, year and period, with the amount of every entry; paged.
    @Sendable func entries(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let id = administration.id!
        // Read like a form (a GET form sends spaces as "+").
        let query = FormData.urlEncoded(request.uri.query ?? "")
        let search = String(query["zoek"].trimmedForInput.prefix(100))
        let status: EntryStatus?
        switch query["status"] {
        case "": status = nil
        case "concept": status = .draft
        case "geboekt": status = .booked
        case let other: throw AppError.badRequest("Onbekende status \u{201C}\(other.prefix(20))\u{201D}: kies concept of geboekt.")
        }
        let year = try RequestNumber.year(query["jaar"])
        let period = try RequestNumber.period(query["periode"])
        let page = try RequestNumber.page(query["pagina"])
        let filter = EntryFilter(search: search, status: status, year: year, period: period)
        var (rows, total) = try self.pages.database.entryList(administrationId: id, filter, limit: Self.entriesPageSize, offset: (page - 1) * Self.entriesPageSize)
        let pages = max(1, (total + Self.entriesPageSize - 1) / Self.entriesPageSize)
        if page > pages {
            (rows, total) = try self.pages.database.entryList(administrationId: id, filter, limit: Self.entriesPageSize, offset: (pages - 1) * Self.entriesPageSize)
        }
        let shown = min(page, pages)
        let count = try self.pages.periodCount(id)
        func link(_ page: Int) -> String {
            var items: [(String, String)] = []
            if !search.isEmpty { items.append(("zoek", search)) }
            if let status { items.append(("status", status == .draft ? "concept" : "geboekt")) }
            if let year { items.append(("jaar", String(year))) }
            if let period { items.append(("periode", String(period))) }
            items.append(("pagina", String(page)))
            return Route.entries(id).path(query: items)
        }
        var yearChoices: Set<Int> = [administration.fiscalYear, administration.fiscalYear - 1]
        if let year { yearChoices.insert(year) }
        let statusValue = status.map { $0 == .draft ? "concept" : "geboekt" } ?? ""
        let view = EntriesPage(
            layout: try self.pages.layout("Boekingen", section: "administrations", context: context, administration: self.pages.header(administration, section: "entries")),
            administrationId: id,
            rows: rows.map { entry in
                EntriesPage.Row(
                    id: entry.id, link: .entry(id, entry: entry.id),
                    number: entry.number.map { "\(entry.fiscalYear)-\($0)" } ?? "concept",
                    date: (try? CalendarDate.parse(entry.entryDate).dutch) ?? entry.entryDate,
                    period: FiscalPeriods.name(entry.period, count: count), description: entry.description,
                    status: entry.status == .booked ? "geboekt" : "concept", statusClass: entry.status.rawValue,
                    debit: Money(cents: entry.debitCents).dutch,
                    unknown: entry.unknownAccounts > 0 ? "\(entry.unknownAccounts) onbekende rekening(en)" : nil
                )
            },
            hasRows: !rows.isEmpty, isFiltered: filter != EntryFilter(), search: search,
            statuses: [("", "alle"), ("concept", "concepten"), ("geboekt", "geboekt")].map {
                LedgerPage.Option(value: $0.0, label: $0.1, selected: $0.0 == statusValue)
            },
            years: [LedgerPage.Option(value: "", label: "alle jaren", selected: year == nil)]
                + yearChoices.sorted(by: >).map { LedgerPage.Option(value: String($0), label: String($0), selected: $0 == year) },
            periods: [LedgerPage.Option(value: "", label: "alle perioden", selected: period == nil)]
                + FiscalPeriods.periods(count: count, used: period.map { [$0] } ?? []).map {
                    LedgerPage.Option(value: String($0), label: FiscalPeriods.name($0, count: count), selected: $0 == period)
                },
            countText: "\(DutchFormat.count(total)) boeking(en)" + (pages > 1 ? ", pagina \(shown) van \(pages)" : ""),
            previousPage: shown > 1 ? link(shown - 1) : nil,
            nextPage: shown < pages ? link(shown + 1) : nil
        )
        return self.pages.renderer.render("entries", view)
    }

    /// GET /administraties/:id/boekingen/:entryId
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (administration, entry) = try self.entry(context)
        let path = Route.entry(administration.id!, entry: entry.id!).path
        // A draft typed after its session ended: offered, and shown in the form on request
        // (never saved by itself; the user checks it and chooses Opslaan).
        let rescued = entry.isBooked ? [] : try self.pages.database.rescuedForms(path: path, since: self.pages.now().addingTimeInterval(-86_400))
        if let wanted = request.uri.queryParameters.get("bewaard").flatMap({ Int64($0) }), let form = rescued.first(where: { $0.id == wanted }) {
            let accounts = try self.pages.database.accounts(administrationId: administration.id!)
            let stored = try self.pages.database.entryLines(entryId: entry.id!)
            var parsed = try Self.parse(FormData.urlEncoded(form.body), accounts: accounts, stored: stored, requireAllStored: false)
            parsed.fieldErrors = [:]
            var lines = parsed.lines
            for index in lines.indices { lines[index].errors = [:] }
            return try self.entryPage(
                administration, entry, lines: lines, context: context, status: .ok,
                headerErrors: ["Hieronder staat wat u typte op \(DutchFormat.dateTime(form.savedAt)), toen uw sessie al was beëindigd. Het is nog niet opgeslagen: controleer het en kies Opslaan."],
                posted: parsed, rescued: nil
            )
        }
        let lines = try self.pages.database.entryLines(entryId: entry.id!).map(EditableLine.init)
        return try self.entryPage(
            administration, entry, lines: lines, context: context, status: .ok,
            rescued: rescued.first.map { EntryPage.Rescued(when: DutchFormat.dateTime($0.savedAt), link: path + "?bewaard=\($0.id)") }
        )
    }

    /// POST /administraties/:id/boekingen/:entryId — save the draft (`action=save`) or save and book (`action=book`).
    @Sendable func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (administration, entry) = try self.entry(context)
        let id = administration.id!
        let form = context.postedForm
        guard !entry.isBooked else {
            throw AppError.badRequest("Deze boeking is al geboekt en kan niet meer worden gewijzigd. Corrigeer met een terugboeking.")
        }
        let accounts = try self.pages.database.accounts(administrationId: id)
        let stored = try self.pages.database.entryLines(entryId: entry.id!)
        let expected = Int(form["version"]) ?? -1
        var merged = false
        let header: AppDatabase.DraftHeader
        let inputs: [DraftLineInput]
        if expected != entry.version {
            // Another tab saved first: merge. What only one side changed is taken from that side;
            // what both changed differently is shown per field, and nothing is saved.
            let parsed = try Self.parse(form, accounts: accounts, stored: stored, requireAllStored: false)
            guard DraftMerge.canMerge(parsed, form: form, currentVersion: entry.version) else {
                var lines = parsed.lines
                for index in lines.indices { lines[index].errors = [:] }
                return try self.entryPage(
                    administration, entry, lines: lines, context: context, status: .conflict,
                    headerErrors: [Self.staleFormMessage], posted: parsed, conflict: true
                )
            }
            let byId = Dictionary(accounts.map { ($0.id!, $0) }, uniquingKeysWith: { first, _ in first })
            let merge = DraftMerge.merge(posted: parsed, form: form, entry: entry, stored: stored, accounts: byId)
            let lineErrors = merge.lines.contains { !$0.errors.isEmpty }
            if merge.conflicts.isEmpty, !lineErrors, merge.lines.count <= JournalLimits.maxLinesPerEntry,
                let mergedHeader = Self.header(description: merge.description, entryDate: merge.entryDate, period: merge.period)
            {
                header = mergedHeader
                inputs = merge.lines.filter { !$0.removed }.map(Self.input)
                merged = true
            } else {
                var view = parsed
                view.descriptionText = merge.description
                view.dateText = merge.entryDate
                view.periodText = merge.period
                view.fieldErrors = [:]
                return try self.entryPage(
                    administration, entry, lines: merge.lines, context: context, status: .conflict,
                    headerErrors: [Self.conflictMessage], posted: view, conflict: true, conflicts: merge.conflicts
                )
            }
        } else {
            var parsed = try Self.parse(form, accounts: accounts, stored: stored)
            // Choices of the merge panel: the other tab's value where the user took it.
            Self.applyTakes(form, to: &parsed, entry: entry, stored: stored)
            guard parsed.errors.isEmpty, let parsedHeader = parsed.header else {
                return try self.entryPage(administration, entry, lines: parsed.lines, context: context, status: .unprocessableContent, headerErrors: parsed.errors, posted: parsed)
            }
            header = parsedHeader
            inputs = parsed.inputs
        }
        do {
            _ = try self.pages.bookkeeping.saveDraft(
                entryId: entry.id!, administrationId: id, expectedVersion: entry.version, header: header, lines: inputs
            )
        } catch EntryError.versionConflict {
            // Saved elsewhere between reading and writing: merge against that version instead.
            return try await self.save(request, context: context)
        }
        let path = Route.entry(id, entry: entry.id!).path
        // What was kept from an ended session is now superseded by a save.
        try? self.pages.database.forgetRescuedForms(path: path)
        guard form["action"] == "book" || form["action"] == "book_anyway" else {
            let text =
                merged
                ? "Concept opgeslagen, samengevoegd met wat intussen in een ander venster was opgeslagen: beide wijzigingen zijn bewaard."
                : "Concept opgeslagen."
            return self.pages.redirect(to: path, flash: FlashMessage(.success, text), context: context)
        }
        // What the other tab changed has not been seen yet: saved, not booked.
        guard !merged else {
            return self.pages.redirect(
                to: path,
                flash: FlashMessage(.info, "Opgeslagen en samengevoegd met wat intussen in een ander venster was opgeslagen, maar nog niet geboekt: bekijk het concept en boek opnieuw."),
                context: context
            )
        }
        do {
            let result = try await self.importer.book(entryId: entry.id!, administrationId: id, beforeOriginal: form["action"] == "book_anyway")
            let booked = result.entry
            var text = "Geboekt als \(booked.fiscalYear)-\(booked.number ?? 0)."
            switch result.loket {
            case .marked: text += " In Loket is de run gemarkeerd als verwerkt."
            case .failed: text += " Loket kon niet worden bijgewerkt; zie hieronder (u kunt het opnieuw proberen). De boeking blijft staan."
            case .notAsked: break
            }
            return self.pages.redirect(to: path, flash: FlashMessage(result.loket == .failed ? .error : .success, text), context: context)
        } catch EntryError.bookingRefused(let problems) {
            let fresh = try self.pages.database.entry(id: entry.id!, administrationId: id) ?? entry
            let lines = try self.pages.database.entryLines(entryId: entry.id!).map(EditableLine.init)
            var messages = problems.map(\.message)
            if problems.contains(where: { if case .closedPeriod = $0 { return true } else { return false } }),
                let open = try self.pages.database.firstOpenPeriod(administrationId: id, year: fresh.fiscalYear)
            {
                messages.append("De eerste open periode van \(fresh.fiscalYear) is periode \(open): pas de periode (en zo nodig de boekdatum) hierboven aan.")
            }
            let onlyOrder = problems.allSatisfy { if case .originalNotBooked = $0 { true } else { false } }
            return try self.entryPage(
                administration, fresh, lines: lines, context: context, status: .unprocessableContent, problems: messages, offerBookAnyway: onlyOrder
            )
        }
    }

    /// POST …/verwijderen — deletes a draft after confirmation (recorded in the history).
    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (administration, entry) = try self.entry(context)
        guard context.postedForm["confirmed"] == "1" else {
            return self.pages.redirect(to: Route.entry(administration.id!, entry: entry.id!).path, flash: FlashMessage(.info, "Bevestig het verwijderen van het concept."), context: context)
        }
        do {
            try self.pages.bookkeeping.deleteDraft(entryId: entry.id!, administrationId: administration.id!)
        } catch EntryError.booked {
            throw AppError.badRequest("Een geboekte boeking wordt nooit verwijderd; corrigeer met een terugboeking.")
        }
        return self.pages.redirect(to: Route.runs(administration.id!).path, flash: FlashMessage(.success, "Het concept is verwijderd. De run kan opnieuw worden geïmporteerd."), context: context)
    }

    /// POST …/terugboeken — a mirrored, booked entry linked to this one.
    @Sendable func reverse(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (administration, entry) = try self.entry(context)
        let id = administration.id!
        let path = Route.entry(id, entry: entry.id!).path
        guard context.postedForm["confirmed"] == "1" else {
            return self.pages.redirect(to: path, flash: FlashMessage(.info, "Bevestig de terugboeking."), context: context)
        }
        // Into another period only as proposed on the page (the entry's own one is closed); both
        // are checked again when booking.
        var target: (period: Int, date: CalendarDate)?
        let form = context.postedForm
        if form.has("period") {
            guard let period = try RequestNumber.period(form["period"]), let date = try? CalendarDate.parse(form["entryDate"]) else {
                throw AppError.badRequest("Ongeldige periode of datum voor de terugboeking.")
            }
            target = (period, date)
        }
        do {
            let reversal = try self.pages.bookkeeping.reverse(entryId: entry.id!, administrationId: id, into: target)
            return self.pages.redirect(
                to: Route.entry(id, entry: reversal.id!).path,
                flash: FlashMessage(.success, "Teruggeboekt als \(reversal.fiscalYear)-\(reversal.number!). De run kan nu desgewenst opnieuw worden geïmporteerd."),
                context: context
            )
        } catch EntryError.alreadyReversed(let by) {
            return self.pages.redirect(to: Route.entry(id, entry: by).path, flash: FlashMessage(.info, "Deze boeking was al teruggeboekt."), context: context)
        } catch EntryError.notBooked {
            return self.pages.redirect(to: path, flash: FlashMessage(.error, "Alleen een geboekte boeking kan worden teruggeboekt; een concept kunt u verwijderen."), context: context)
        } catch EntryError.bookingRefused(let problems) {
            return self.pages.redirect(to: path, flash: FlashMessage(.error, problems.map(\.message).joined(separator: " ")), context: context)
        }
    }

    /// POST …/loket — try the write-back to Loket again.
    @Sendable func retryWriteBack(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (administration, entry) = try self.entry(context)
        let result = await self.importer.writeBack(entry: entry)
        let flash =
            result == .marked
            ? FlashMessage(.success, "Loket is bijgewerkt: de run staat op verwerkt.")
            : FlashMessage(.error, "Loket kon nog steeds niet worden bijgewerkt; zie de melding hieronder.")
        return self.pages.redirect(to: Route.entry(administration.id!, entry: entry.id!).path, flash: flash, context: context)
    }

    // MARK: - Mappings and settings

    /// POST /administraties/:id/rekeningkoppelingen — Loket code → local account, remembered.
    @Sendable func map(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let form = context.postedForm
        let back = Self.safeReturn(form["returnTo"], administrationId: administration.id!)
        guard let accountId = Int64(form["accountId"]), !form["code"].isEmpty else {
            return self.pages.redirect(to: back, flash: FlashMessage(.error, "Kies een rekening om de Loket-rekening aan te koppelen."), context: context)
        }
        do {
            let count = try self.pages.bookkeeping.mapLoketCode(administrationId: administration.id!, code: form["code"], accountId: accountId)
            return self.pages.redirect(to: back, flash: FlashMessage(.success, "Loket-rekening \(form["code"]) gekoppeld en onthouden (\(count) concept(en) bijgewerkt)."), context: context)
        } catch StorageError.accountNotFound {
            return self.pages.redirect(to: back, flash: FlashMessage(.error, "Die rekening bestaat niet in deze administratie."), context: context)
        }
    }

    /// POST /administraties/:id/rekeningkoppelingen/aanmaken — create the account from the Loket code (asked for, never silent).
    @Sendable func createAccount(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let form = context.postedForm
        let back = Self.safeReturn(form["returnTo"], administrationId: administration.id!)
        do {
            let account = try AccountController.account(number: form["code"], name: form["name"], type: form["type"], rgsCode: "")
            let created = try self.pages.bookkeeping.createAccountFromLoket(
                administrationId: administration.id!, code: account.number, name: account.name, type: account.type
            )
            return self.pages.redirect(to: back, flash: FlashMessage(.success, "Rekening \(created.number) \(created.name) aangemaakt en toegepast."), context: context)
        } catch let errors as ValidationErrors {
            return self.pages.redirect(to: back, flash: FlashMessage(.error, errors.errors.map(\.message).joined(separator: " ")), context: context)
        } catch StorageError.duplicateAccountNumber(let number) {
            return self.pages.redirect(to: back, flash: FlashMessage(.error, "Rekening \(number) bestaat al; koppel de Loket-rekening eraan."), context: context)
        }
    }

    /// GET /administraties/:id/instellingen — mappings and entry settings.
    @Sendable func settings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let id = administration.id!
        let accounts = try self.pages.database.accounts(administrationId: id)
        let settings = try self.pages.database.settings(administrationId: id)
        let page = MappingsPage(
            layout: try self.pages.layout("Instellingen", section: "administrations", context: context, administration: self.pages.header(administration, section: "settings")),
            administrationId: id,
            rows: try self.pages.database.mappings(administrationId: id).map { mapping in
                MappingsPage.Row(code: mapping.loketCode, accounts: accounts.map { EntryPage.Option(value: String($0.id!), label: "\($0.number) \($0.name)", selected: $0.id == mapping.accountId) })
            },
            periodRules: FinancialPeriodRule.allCases.map { EntryPage.Option(value: $0.rawValue, label: $0.label, selected: $0 == settings.periodRule) },
            markProcessed: settings.markProcessedInLoket,
            wageTax: try Self.wageTaxSection(id, accounts: accounts, database: self.pages.database)
        )
        return self.pages.renderer.render("settings", page)
    }

    static func wageTaxSection(_ id: AdministrationID, accounts: [LedgerAccountRecord], database: AppDatabase) throws -> WageTaxSection {
        let setting = try database.wageTaxSetting(administrationId: id)
        let chosen = Set(setting.accountIds)
        let names = accounts.filter { chosen.contains($0.id ?? 0) }.map { "\($0.number) \($0.name)" }
        let stateText: String
        if setting.confirmed {
            stateText = "Bevestigd: " + names.joined(separator: ", ") + "."
        } else if names.isEmpty {
            stateText = "Nog niet gekozen, en het rekeningschema heeft geen rekening die op \u{2018}loonheffing\u{2019} lijkt (naam of RGS-code BSchBepLhe). Kies de rekening hieronder."
        } else {
            stateText = "Voorstel uit het rekeningschema (nog niet bevestigd): " + names.joined(separator: ", ") + "."
        }
        let active = accounts.filter(\.isActive)
        return WageTaxSection(
            confirmed: setting.confirmed, stateText: stateText,
            accounts: active.filter { $0.type == AccountType.balance.rawValue || chosen.contains($0.id ?? 0) }.map {
                EntryPage.Option(value: String($0.id!), label: "\($0.number) \($0.name)", selected: chosen.contains($0.id!))
            },
            roundingAccounts: [EntryPage.Option(value: "", label: "\u{2013} geen \u{2013}", selected: setting.roundingAccountId == nil)]
                + active.map { EntryPage.Option(value: String($0.id!), label: "\($0.number) \($0.name)", selected: $0.id == setting.roundingAccountId) },
            others: try database.administrationSummaries().filter { $0.id != id }.map {
                EntryPage.Option(value: String($0.id), label: "\($0.code) \($0.name)", selected: false)
            }
        )
    }

    /// POST /administraties/:id/instellingen
    @Sendable func saveSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let administration = try self.pages.administration(context)
        let form = context.postedForm
        let rule = FinancialPeriodRule(rawValue: form["periodRule"]) ?? .calendarMonth
        try self.pages.bookkeeping.saveSettings(
            administrationId: administration.id!, AdministrationSettings(periodRule: rule, markProcessedInLoket: form["markProcessed"] == "1")
        )
        return self.pages.redirect(to: Route.settings(administration.id!).path, flash: FlashMessage(.success, "Instellingen opgeslagen."), context: context)
    }

    // MARK: - Helpers

    /// A header from merged texts, checked like a posted one; nil when it does not pass.
    static func header(description: String, entryDate: String, period: String) -> AppDatabase.DraftHeader? {
        let text = description.trimmedForInput
        guard !text.isEmpty, TextRules.lineProblem(text, max: 200, what: "De omschrijving") == nil,
            let date = try? CalendarDate.parse(entryDate), (1990...2100).contains(date.year),
            let number = Int(period), (1...13).contains(number)
        else { return nil }
        return AppDatabase.DraftHeader(description: text, entryDate: date, period: number)
    }

    static func input(_ line: EditableLine) -> DraftLineInput {
        DraftLineInput(
            lineId: line.lineId, accountId: line.accountId, description: line.description,
            costCenter: line.costCenter.isEmpty ? nil : line.costCenter, costUnit: line.costUnit.isEmpty ? nil : line.costUnit,
            debit: line.debit, credit: line.credit
        )
    }

    /// `take_<field>=theirs` / `take_line_<id>=theirs` from the merge panel: the stored value
    /// (the other tab's) replaces what the form carries.
    static func applyTakes(_ form: FormData, to parsed: inout ParsedEntryForm, entry: JournalEntryRecord, stored: [EntryLineRow]) {
        if form["take_description"] == "theirs" { parsed.descriptionText = entry.description }
        if form["take_entryDate"] == "theirs" { parsed.dateText = entry.date?.dutch ?? entry.entryDate }
        if form["take_period"] == "theirs" { parsed.periodText = String(entry.period) }
        if ["description", "entryDate", "period"].contains(where: { form["take_\($0)"] == "theirs" }), parsed.header != nil {
            parsed.header = Self.header(description: parsed.descriptionText, entryDate: parsed.dateText, period: parsed.periodText)
        }
        let storedById = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for index in parsed.lines.indices {
            guard let lineId = parsed.lines[index].lineId, let row = storedById[lineId] else { continue }
            let taken = DraftMerge.LineField.allCases.filter { form["take_line_\(lineId)_\($0.rawValue)"] == "theirs" }
            guard !taken.isEmpty else { continue }
            let theirs = EditableLine(row)
            for field in taken { DraftMerge.take(field, from: theirs, into: &parsed.lines[index]) }
            parsed.lines[index].errors = [:]
            parsed.inputs[index] = Self.input(parsed.lines[index])
        }
    }

    static let staleFormMessage =
        "Deze boeking is intussen ergens anders opgeslagen, en dit formulier is niet volledig genoeg om samen te voegen. Er is niets opgeslagen; "
        + "uw invoer staat hieronder. Open de boeking opnieuw om de huidige versie te zien."

    static let conflictMessage =
        "Deze boeking is intussen ergens anders opgeslagen (bijvoorbeeld in een ander tabblad). Er is nog niets opgeslagen: wat maar aan één kant veranderde "
        + "is samengevoegd en staat hieronder; kies bij \u{2018}Twee vensters wijzigden hetzelfde\u{2019} per veld welke versie blijft, en sla op."

    static func safeReturn(_ path: String, administrationId: AdministrationID) -> String {
        let prefix = Route.administration(administrationId).path + "/"
        return path.hasPrefix(prefix) && !path.contains("//") && !path.contains("\\") ? path : Route.settings(administrationId).path
    }

    private func entry(_ context: AppRequestContext) throws -> (AdministrationRecord, JournalEntryRecord) {
        let administration = try self.pages.administration(context)
        guard let entryId = context.parameters.get("entryId", as: EntryID.self),
            let entry = try self.pages.database.entry(id: entryId, administrationId: administration.id!)
        else {
            throw AppError.notFound("Deze boeking bestaat niet (meer) in administratie \(administration.code). Misschien is het concept verwijderd.")
        }
        return (administration, entry)
    }
}

