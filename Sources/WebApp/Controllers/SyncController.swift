import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PayrollImport
import Storage

/// "Alles bijwerken": start, follow, cancel and retry the bulk sync of all linked
/// administrations; the setting for how many run at the same time.
struct SyncController {
    let pages: PageSupport
    let jobs: SyncJobs

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.sync, use: self.show)
        router.get(.syncProgress, use: self.progress)
        router.post(.sync, use: self.start)
        router.post(.retrySync, use: self.retry)
        router.post(.cancelSync, use: self.cancel)
        router.post(.syncSettings, use: self.saveSettings)
    }

    /// GET /bijwerken — the running sync with its progress, or the summary of the last one.
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let database = self.pages.database
        let running = self.jobs.running?.progress
        let recent = try database.recentSyncs(limit: 10)
        var summary: SyncPage.Summary? = nil
        if running == nil, let last = recent.first {
            summary = SyncPage.Summary(last, results: try database.syncResults(syncRunId: last.id))
        }
        let linkCount = try database.syncTargets().count
        let page = SyncPage(
            layout: try self.pages.layout("Alles bijwerken", section: "dashboard", context: context),
            linkCount: DutchFormat.count(linkCount),
            hasLinks: linkCount > 0,
            progress: running.map(SyncPage.Progress.init),
            summary: summary,
            history: recent.map { SyncPage.HistoryRow($0, running: $0.id == running?.syncRunId) },
            deadConnections: try database.connections().filter { $0.status == .reconnect }.map { SyncPage.DeadConnection(id: $0.id!, name: $0.name) },
            concurrency: String(try database.syncConcurrency())
        )
        return self.pages.renderer.render("sync", page)
    }

    /// GET /bijwerken/voortgang — the live numbers as JSON for the progress bar (read-only).
    @Sendable func progress(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireSession()
        let progress = self.jobs.latest?.progress
        let view = progress.map(SyncPage.Progress.init)
        var body = SyncProgressJSON(phase: progress?.phase.rawValue ?? "idle")
        if let progress, let view {
            body.total = progress.total
            body.done = progress.done
            body.runsImported = progress.runsImported
            body.failed = progress.failed
            body.percent = view.percent
            body.text = view.text
            body.active = view.activeText
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(body)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    /// POST /bijwerken — starts a sync of every linked administration, or shows the running one.
    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        let targets = try self.pages.database.syncTargets()
        guard !targets.isEmpty else {
            return self.pages.redirect(
                to: Route.sync.path,
                flash: FlashMessage(.error, "Er is nog geen administratie aan Loket gekoppeld. Koppel eerst administraties op de pagina Loket."),
                context: context
            )
        }
        return try self.begin(targets, context: context)
    }

    /// POST /bijwerken/opnieuw — the administrations that failed or were skipped last time.
    @Sendable func retry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let database = self.pages.database
        guard let last = try database.recentSyncs(limit: 1).first else { return try await self.start(request, context: context) }
        let again = Set(try database.syncResults(syncRunId: last.id).filter { $0.error != nil || $0.cancelled }.map(\.administrationId))
        let targets = try database.syncTargets().filter { again.contains($0.administrationId) }
        guard !targets.isEmpty else {
            return self.pages.redirect(to: Route.sync.path, flash: FlashMessage(.info, "Er is niets opnieuw te proberen: de vorige ronde is helemaal gelukt."), context: context)
        }
        return try self.begin(targets, context: context)
    }

    private func begin(_ targets: [SyncTarget], context: AppRequestContext) throws -> Response {
        let concurrency = try self.pages.database.syncConcurrency()
        let (_, started) = self.jobs.start(targets, options: SyncOptions(concurrency: concurrency, origin: .web))
        let flash = started
            ? FlashMessage(.info, "Bijwerken is gestart voor \(DutchFormat.count(targets.count)) administratie(s). U kunt deze pagina verlaten; het gaat op de achtergrond door.")
            : FlashMessage(.info, "Er loopt al een bijwerkronde; hieronder ziet u de voortgang. Er start er maar één tegelijk.")
        return self.pages.redirect(to: Route.sync.path, flash: flash, context: context)
    }

    /// POST /bijwerken/annuleren — stops after the runs being fetched now (nothing half-stored).
    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        let flash = self.jobs.cancel()
            ? FlashMessage(.info, "Bijwerken wordt gestopt. Wat al is opgehaald blijft bewaard; de rest kunt u later opnieuw proberen.")
            : FlashMessage(.info, "Er loopt geen bijwerkronde.")
        return self.pages.redirect(to: Route.sync.path, flash: flash, context: context)
    }

    /// POST /bijwerken/instellingen — how many administrations are fetched at the same time.
    @Sendable func saveSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let text = context.postedForm["concurrency"].trimmingCharacters(in: .whitespaces)
        guard let value = Int(text), AppDatabase.syncConcurrencyRange.contains(value) else {
            return self.pages.redirect(
                to: Route.sync.path,
                flash: FlashMessage(.error, "Vul bij \u{2018}tegelijk\u{2019} een heel getal van 1 tot en met 16 in (standaard 4). Er is niets gewijzigd."),
                context: context
            )
        }
        try self.pages.bookkeeping.setSyncConcurrency(value)
        return self.pages.redirect(to: Route.sync.path, flash: FlashMessage(.success, "Bijwerken haalt voortaan \(value) administratie(s) tegelijk op."), context: context)
    }
}

extension SyncPage.Progress {
    init(_ progress: SyncProgress) {
        let percent = progress.total == 0 ? 100 : progress.done * 100 / progress.total
        var text = "\(DutchFormat.count(progress.done)) van \(DutchFormat.count(progress.total)) administraties klaar · "
        text += "\(DutchFormat.count(progress.runsImported)) run(s) geïmporteerd · \(DutchFormat.count(progress.failed)) fout(en)"
        self.init(
            total: progress.total, done: progress.done, percent: percent, runsImported: progress.runsImported, failed: progress.failed,
            text: text, cancelling: progress.phase == .cancelling,
            activeText: progress.active.isEmpty ? "" : "Bezig met: " + progress.active.joined(separator: ", "),
            failures: progress.results.filter { $0.error != nil }.map {
                SyncPage.ResultRow(SyncResultRow(administrationId: $0.target.administrationId, code: $0.target.code, name: $0.target.name, error: $0.error))
            }
        )
    }
}

extension SyncPage.Summary {
    init(_ run: SyncRunRow, results: [SyncResultRow]) {
        let outcome: String
        switch run.outcome {
        case .completed: outcome = "Klaar: alles is bijgewerkt."
        case .failures:
            outcome =
                run.failed >= run.administrations
                ? "Niets bijgewerkt: alle \(run.administrations) administratie(s) mislukten."
                : "Klaar, maar \(run.failed) van de \(run.administrations) administratie(s) mislukten; de andere \(run.administrations - run.failed) zijn bijgewerkt."
        case .cancelled: outcome = "Gestopt op uw verzoek. Wat al was opgehaald is bewaard."
        case nil: outcome = "Afgebroken: loonjournaal stopte tijdens het bijwerken. Wat al was opgehaald is bewaard; start opnieuw om de rest op te halen."
        }
        let duration = run.finishedAt.map { finished -> String in
            let seconds = max(0, finished.timeIntervalSince(run.startedAt))
            return seconds < 60 ? "\(Int(seconds.rounded())) s" : "\(Int(seconds / 60)) min \(Int(seconds) % 60) s"
        }
        let rows = results.map(SyncPage.ResultRow.init)
        self.init(
            outcome: outcome,
            succeeded: run.outcome == .completed,
            started: DutchFormat.dateTime(run.startedAt),
            duration: duration ?? "–",
            origin: run.origin == .cli ? "loonjournaal sync (opdrachtregel)" : "Alles bijwerken (scherm)",
            administrations: DutchFormat.count(run.administrations),
            runsImported: DutchFormat.count(results.reduce(0) { $0 + $1.imported }),
            failed: DutchFormat.count(results.filter { $0.error != nil }.count),
            canRetry: run.outcome != .completed,
            results: rows
        )
    }
}

extension SyncPage.ResultRow {
    init(_ row: SyncResultRow) {
        var outcome: String
        if let error = row.error {
            outcome = error
        } else if row.cancelled && row.imported == 0 {
            outcome = "Overgeslagen (gestopt)."
        } else {
            outcome = row.imported == 0 ? (row.note ?? "Niets nieuws.") : "\(row.imported) nieuwe concept(en)."
            if row.alreadyPresent > 0 { outcome += " \(row.alreadyPresent) al eerder geïmporteerd." }
            if row.waiting > 0 { outcome += " \(row.waiting) run(s) nog niet klaar in Loket." }
            if row.booked > 0 { outcome += " \(row.booked) geboekt." }
            if row.notBooked > 0 { outcome += " \(row.notBooked) niet geboekt (zie de boekingen)." }
            if row.cancelled { outcome += " Gestopt voor de rest." }
        }
        self.init(
            administrationId: row.administrationId, code: row.code, name: row.name, imported: row.imported, outcome: outcome,
            failed: row.error != nil, hasDrafts: row.imported > 0
        )
    }
}

extension SyncPage.HistoryRow {
    init(_ run: SyncRunRow, running: Bool) {
        let outcome: String
        switch running ? nil : run.outcome {
        case _ where running: outcome = "bezig"
        case .completed: outcome = "gelukt"
        case .failures: outcome = "\(run.failed) mislukt"
        case .cancelled: outcome = "gestopt"
        case nil: outcome = run.finishedAt == nil ? "afgebroken (loonjournaal stopte)" : "onbekend"
        }
        self.init(
            started: DutchFormat.dateTime(run.startedAt), origin: run.origin == .cli ? "opdrachtregel" : "scherm",
            administrations: DutchFormat.count(run.administrations), runsImported: DutchFormat.count(run.runsImported), outcome: outcome,
            failed: run.failed > 0 || (run.finishedAt == nil && !running)
        )
    }
}

/// The JSON of `GET /bijwerken/voortgang` (fields absent while nothing runs).
struct SyncProgressJSON: Encodable {
    var phase: String
    var total: Int?
    var done: Int?
    var runsImported: Int?
    var failed: Int?
    var percent: Int?
    var text: String?
    var active: String?
}
