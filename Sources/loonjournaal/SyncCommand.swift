import ArgumentParser
import Foundation
import Ledger
import LoketClient
import PayrollImport
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// `loonjournaal sync`: "Alles bijwerken" without a browser (for cron). Progress on stderr, the
/// summary on stdout, exit code 1 when any administration failed.
struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Haal alle nieuwe loonjournaalruns van de gekoppelde administraties op als concept (voor cron).",
        discussion: """
            Voortgang staat op stderr, de samenvatting op stdout. Afsluitcode 0: alles gelukt; 1: minstens één \
            administratie mislukte (zie de samenvatting); 2: verkeerde opties.
            """
    )

    @Option(name: .customLong("data-dir"), help: "Map met de gegevens (standaard $XDG_DATA_HOME/loonjournaal).")
    var dataDir: String?

    @Option(name: .customLong("administration"), help: "Alleen deze administratie (code); mag vaker worden gegeven.")
    var administrations: [String] = []

    @Option(help: "Aantal administraties tegelijk (1–16; standaard de instelling, anders 4).")
    var concurrency: Int?

    @Flag(help: "Boek daarna elk nieuw concept dat door alle controles komt; de rest wordt met redenen genoemd.")
    var book = false

    @Option(name: .customLong("timeout-seconds"), help: .hidden)
    var timeoutSeconds: Int = 30

    func validate() throws {
        if let concurrency, !AppDatabase.syncConcurrencyRange.contains(concurrency) {
            throw ValidationError("--concurrency moet tussen 1 en 16 liggen.")
        }
        guard (1...600).contains(self.timeoutSeconds) else { throw ValidationError("--timeout-seconds moet tussen 1 en 600 liggen.") }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let directory = DataDirectory.resolve(explicit: self.dataDir, environment: ProcessInfo.processInfo.environment)
        guard FileManager.default.fileExists(atPath: directory.databaseURL.path) else {
            throw Failure(message: "Er is geen database in \(directory.url.path). Geef de juiste map met --data-dir.")
        }
        let prepared = try Startup.prepare(dataDir: directory.url.path)
        let database = prepared.database
        var targets = try database.syncTargets(codes: self.administrations.isEmpty ? nil : self.administrations)
        if !self.administrations.isEmpty {
            let found = Set(targets.map { $0.code.lowercased() })
            let missing = self.administrations.filter { !found.contains($0.lowercased()) }
            if !missing.isEmpty {
                throw Failure(message: "Geen aan Loket gekoppelde administratie met code \(missing.joined(separator: ", ")) in \(directory.url.path).")
            }
        }
        targets.sort { $0.code.localizedStandardCompare($1.code) == .orderedAscending }
        if targets.isEmpty {
            print("Niets bij te werken: geen administratie is aan een Loket-loonadministratie gekoppeld.")
            return
        }
        let concurrency = try self.concurrency ?? database.syncConcurrency()
        let transport = LiveHTTPTransport()
        defer { withExtendedLifetime(prepared.lock) {} }
        let loket = LoketService(
            database: database,
            tokenStore: FileTokenStore(url: directory.url.appending(path: "credentials.json")),
            transport: transport,
            timeout: .seconds(self.timeoutSeconds)
        )
        let sync = BulkSync(importer: RunImporter(database: database, loket: loket))
        let tracker = SyncTracker(total: targets.count, startedAt: Date())
        let progress = StandardError()
        progress.write("Bijwerken: \(targets.count) administratie(s), \(concurrency) tegelijk.\n")
        let results = await sync.run(targets, options: SyncOptions(concurrency: concurrency, book: self.book, origin: .cli), tracker: tracker) {
            result, snapshot in
            let outcome: String
            if let error = result.error {
                outcome = "MISLUKT: \(error)"
            } else {
                outcome = "\(result.imported) nieuw, \(result.alreadyPresent) al aanwezig" + (result.waiting > 0 ? ", \(result.waiting) nog niet klaar in Loket" : "")
                    + (result.note.map { " – \($0)" } ?? "")
            }
            progress.write("[\(snapshot.done)/\(snapshot.total)] \(result.target.code) \(result.target.name): \(outcome)\n")
        }
        try? await transport.shutdown()
        let elapsed = ContinuousClock.now - started
        print(Self.summary(results, elapsed: elapsed, book: self.book), terminator: "")
        if ProcessInfo.processInfo.environment["LOONJOURNAAL_REPORT_PEAK_MEMORY"] == "1" {
            progress.write("peak-rss-kb \(PeakMemory.kilobytes())\n")
        }
        // The exit code is this command's to decide: 1 when an administration failed.
        if results.contains(where: { $0.error != nil }) {
            throw ExitCode(1)
        }
    }

    /// The summary printed on stdout.
    static func summary(_ results: [AdministrationSyncResult], elapsed: Duration, book: Bool) -> String {
        let imported = results.reduce(0) { $0 + $1.imported }
        let failed = results.filter { $0.error != nil }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var text = "Bijwerken klaar in \(String(format: "%.1f", seconds).replacingOccurrences(of: ".", with: ",")) s: \(results.count) administratie(s), "
        text += "\(imported) run(s) als concept geïmporteerd, \(failed.count) mislukt.\n"
        if !failed.isEmpty {
            text += "Mislukt (opnieuw proberen met dezelfde opdracht haalt alleen op wat nog ontbreekt):\n"
            for result in failed { text += "  \(result.target.code) \(result.target.name): \(result.error ?? "")\n" }
        }
        if book {
            let booked = results.filter { !$0.booked.isEmpty }
            text += "Geboekt: \(booked.reduce(0) { $0 + $1.booked.count }) boeking(en).\n"
            for result in booked { text += "  \(result.target.code): \(result.booked.joined(separator: ", "))\n" }
            let refused = results.flatMap { result in result.notBooked.map { (result.target, $0) } }
            if !refused.isEmpty {
                text += "Niet geboekt (blijven concept; los op in de browser):\n"
                for (target, draft) in refused {
                    text += "  \(target.code) \(draft.description):\n"
                    for problem in draft.problems { text += "    - \(problem)\n" }
                }
            }
        }
        return text
    }
}

/// Unbuffered writes to stderr.
struct StandardError: Sendable {
    func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
