import ArgumentParser
import Foundation
import Ledger
import LoketClient
import PayrollImport
import Storage

/// `loonjournaal check`: the month-end overview for cron. Asks Loket about the period (the same
/// refresh as the page's "Vernieuwen uit Loket", without importing), prints every linked
/// administration with what needs doing, and exits 1 when any administration needs action.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Maandafsluiting: controleer per administratie verloning, journaal, boeking en loonaangifte (voor cron).",
        discussion: """
            Vraagt Loket naar de periode (niets wordt geïmporteerd of geboekt) en drukt per gekoppelde administratie \
            af wat er nog moet gebeuren. Afsluitcode 0: alles in orde; 1: minstens één administratie vraagt actie \
            (of Loket was niet bereikbaar); 2: verkeerde opties.
            """
    )

    @Option(help: "Periode als JJJJ-MM (maand, of 4-wekenperiode 01–13), bijvoorbeeld 2026-04. Standaard de laatst afgesloten maand.")
    var period: String?

    @Option(name: .customLong("data-dir"), help: "Map met de gegevens (standaard $XDG_DATA_HOME/loonjournaal).")
    var dataDir: String?

    @Flag(help: "Druk het overzicht af als CSV (puntkomma's, Nederlandse bedragen) in plaats van als tekst.")
    var csv = false

    @Flag(help: "Vraag Loket niets; gebruik wat bij de laatste keer is opgehaald.")
    var offline = false

    @Option(name: .customLong("timeout-seconds"), help: .hidden)
    var timeoutSeconds: Int = 30

    func validate() throws {
        if let period, ControlPeriod(period) == nil {
            throw ValidationError("--period moet de vorm JJJJ-MM hebben met een periode van 01 tot en met 13, bijvoorbeeld 2026-04.")
        }
        guard (1...600).contains(self.timeoutSeconds) else { throw ValidationError("--timeout-seconds moet tussen 1 en 600 liggen.") }
    }

    func run() async throws {
        let directory = DataDirectory.resolve(explicit: self.dataDir, environment: ProcessInfo.processInfo.environment)
        guard FileManager.default.fileExists(atPath: directory.databaseURL.path) else {
            throw Failure(message: "Er is geen database in \(directory.url.path). Geef de juiste map met --data-dir.")
        }
        let prepared = try Startup.prepare(dataDir: directory.url.path)
        defer { withExtendedLifetime(prepared.lock) {} }
        let transport = LiveHTTPTransport()
        let loket = LoketService(
            database: prepared.database,
            tokenStore: FileTokenStore(url: directory.url.appending(path: "credentials.json")),
            transport: transport,
            timeout: .seconds(self.timeoutSeconds)
        )
        let control = MonthEndControl(importer: RunImporter(database: prepared.database, loket: loket))
        let period = self.period.flatMap(ControlPeriod.init) ?? control.defaultPeriod()
        var refresh: MonthEndControl.RefreshResult? = nil
        if !self.offline {
            StandardError().write("Maandafsluiting \(period.name): Loket vragen…\n")
            refresh = await control.refresh(period: period, importReady: false)
        }
        try? await transport.shutdown()
        let overview: MonthEndOverview
        do {
            overview = try control.overview(period: period)
        } catch {
            throw Failure(message: "Het overzicht kon niet uit de database worden gelezen: \(error)")
        }
        if overview.rows.isEmpty {
            print("Niets te controleren: geen administratie is aan een Loket-loonadministratie gekoppeld.")
            return
        }
        print(self.csv ? overview.csv() : Self.text(overview, refresh: refresh), terminator: "")
        if overview.needingAction > 0 || !(refresh?.problems.isEmpty ?? true) {
            throw ExitCode(1)
        }
    }

    /// The overview as text: a summary, then one block per administration.
    static func text(_ overview: MonthEndOverview, refresh: MonthEndControl.RefreshResult?) -> String {
        let period = overview.period
        var text = "Maandafsluiting \(period.name) (\(period.text)): \(overview.rows.count) administratie(s), "
        text += overview.needingAction == 0 ? "alles in orde.\n" : "\(overview.needingAction) met actie nodig.\n"
        if let refresh {
            text += "Loket gevraagd met \(refresh.requests) verzoek(en).\n"
            for problem in refresh.problems { text += "Loket niet bereikbaar: \(problem)\n" }
        } else if let refreshed = overview.refreshed {
            text += "Niet bij Loket nagevraagd (--offline); laatst opgehaald \(refreshed.refreshedAt.formatted(.iso8601)).\n"
        }
        text += "Te betalen aan de Belastingdienst (volgens Loket): \(Money(cents: overview.totalDueCents).euro)"
        if let deadline = overview.earliestDeadline.flatMap({ try? CalendarDate.parse($0) }) { text += ", eerste vervaldatum \(deadline.dutch)" }
        text += ".\n\n"
        for row in overview.rows {
            text += "\(row.target.code) \(row.target.name): \(row.needsAction ? "ACTIE NODIG" : "in orde")\n"
            var facts = ["verloning \(row.payrollStatusText ?? "onbekend")", "journaal \(row.journalText)", "geïmporteerd \(row.imported ? "ja" : "nee")",
                         "geboekt \(row.booked ? "ja" : "nee")", "aangifte \(row.taxReturnStatusText)", "controle \(row.checkText)"]
            if let taxReturn = row.check.taxReturn, let total = taxReturn.totalCents {
                var payable = "te betalen \(Money(cents: total).euro)"
                if let deadline = taxReturn.deadline.flatMap({ try? CalendarDate.parse($0) }) { payable += " vóór \(deadline.dutch)" }
                if let reference = taxReturn.paymentReference { payable += ", betalingskenmerk \(PaymentReference.formatted(reference))" }
                facts.append(payable)
            }
            text += "    " + facts.joined(separator: "; ") + "\n"
            for gap in row.gaps { text += "    - \(gap.text(period: period))\n" }
        }
        return text
    }
}
