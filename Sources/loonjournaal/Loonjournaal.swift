import ArgumentParser
import DevSupport
import Foundation
import Logging
import LoketClient
import Ledger
import LoketSandbox
import PayrollImport
import Reports
import Storage
import WebApp

#if canImport(Glibc)
import Glibc
#endif

/// `loonjournaal`: brings Loket payroll journal entries into a bookkeeping administration.
@main
struct Loonjournaal: AsyncParsableCommand {
    /// The release; `scripts/release` puts the same in the Debian package.
    static let version = "0.5.0"

    static let configuration = CommandConfiguration(
        commandName: "loonjournaal",
        abstract: "Loonjournaalposten uit Loket.nl controleren, corrigeren en boeken.",
        version: Loonjournaal.version,
        subcommands: [Serve.self, Open.self, Demo.self, Sync.self, Check.self, Sandbox.self, Export.self, DevSetup.self, BenchExport.self, BenchSync.self, BenchFixtures.self],
        defaultSubcommand: Serve.self
    )

    /// Runs the chosen command; start-up failures get a Dutch message on stderr and exit code 1,
    /// bad arguments exit code 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as Failure {
            FileHandle.standardError.write(Data("loonjournaal: \(failure.message)\n".utf8))
            Glibc.exit(1)
        } catch let running as Startup.AlreadyRunning {
            FileHandle.standardError.write(Data("loonjournaal: \(running.message)\n".utf8))
            Glibc.exit(1)
        } catch {
            // Bad arguments: exit code 2 (ArgumentParser would use 64), with a hint in Dutch.
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data("\(fullMessage(for: error))\nloonjournaal: onjuiste opties; zie loonjournaal --help.\n".utf8))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// `loonjournaal serve`: the web app on 127.0.0.1.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start loonjournaal in de browser (alleen op 127.0.0.1).")

    @Option(help: "Poort op 127.0.0.1.")
    var port: Int = 8420

    @Option(name: .customLong("data-dir"), help: "Map voor de gegevens (standaard $XDG_DATA_HOME/loonjournaal).")
    var dataDir: String?

    @Flag(name: .customLong("no-open"), help: "Open de browser niet vanzelf.")
    var noOpen = false

    func validate() throws {
        guard (0...65535).contains(self.port) else { throw ValidationError("De poort moet tussen 0 en 65535 liggen.") }
    }

    func run() async throws {
        let started: Startup.Prepared
        do {
            started = try Startup.prepare(dataDir: self.dataDir)
        } catch let running as Startup.AlreadyRunning {
            // Started again (the launcher, a second terminal): open the browser on the running one.
            // Another command holding the directory (a `sync`) has no socket: then say what holds it.
            do {
                try Open.reenter(directory: running.directory, openBrowser: !self.noOpen, note: "loonjournaal draait al; een nieuwe startlink:")
            } catch {
                throw Failure(message: running.message)
            }
            return
        }
        let environment = ProcessInfo.processInfo.environment
        try await Startup.serve(
            port: self.port,
            prepared: started,
            defaults: LoketDefaults(simulatorURL: "http://127.0.0.1:8421", environment: environment),
            openBrowser: !self.noOpen,
            banner: "loonjournaal draait. Open deze link (eenmalig geldig, 2 minuten):"
        )
    }
}

/// `loonjournaal open`: back into the running app without restarting it — a fresh single-use
/// launch link from the running instance (over its Unix socket, same OS user only), opened in the browser.
struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open de browser op het loonjournaal dat al draait (een nieuwe, eenmalige startlink).",
        discussion: "Vraagt het lopende loonjournaal via zijn socket in de gegevensmap (alleen voor dezelfde gebruiker) om een nieuwe startlink en opent die. Na het sluiten van de browser komt u zo weer binnen, zonder herstart."
    )

    @Option(name: .customLong("data-dir"), help: "Map voor de gegevens (standaard $XDG_DATA_HOME/loonjournaal).")
    var dataDir: String?

    @Flag(name: .customLong("no-open"), help: "Open de browser niet; druk alleen de link af.")
    var noOpen = false

    func run() throws {
        let directory = DataDirectory.resolve(explicit: self.dataDir, environment: ProcessInfo.processInfo.environment)
        try Self.reenter(directory: directory, openBrowser: !self.noOpen, note: "Nieuwe startlink (eenmalig geldig, 2 minuten):")
    }

    static func reenter(directory: DataDirectory, openBrowser: Bool, note: String) throws {
        let socket = directory.url.appending(path: ControlChannel.fileName).path
        let link: String
        do {
            link = try ControlChannel.askForLaunchLink(socketPath: socket)
        } catch {
            throw Failure(message: error.description)
        }
        FileHandle.standardOutput.write(Data("\(note)\n\(link)\n".utf8))
        if openBrowser { Browser.open(link) }
    }
}

/// `loonjournaal demo`: the simulator and the app together on a fresh demo data directory.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start de demo: loonjournaal met de ingebouwde Loket-simulator.")

    @Option(help: "Poort van loonjournaal op 127.0.0.1.")
    var port: Int = 8420

    @Option(name: .customLong("sandbox-port"), help: "Poort van de Loket-simulator op 127.0.0.1.")
    var sandboxPort: Int = 8421

    @Option(name: .customLong("data-dir"), help: "Map voor de demogegevens (standaard een nieuwe tijdelijke map).")
    var dataDir: String?

    @Flag(name: .customLong("no-open"), help: "Open de browser niet vanzelf.")
    var noOpen = false

    func validate() throws {
        guard (0...65535).contains(self.port), (0...65535).contains(self.sandboxPort) else {
            throw ValidationError("Een poort ligt tussen 0 en 65535.")
        }
        guard self.port != self.sandboxPort || self.port == 0 else { throw ValidationError("loonjournaal en de simulator hebben elk een eigen poort nodig.") }
    }

    func run() async throws {
        let directory = try self.dataDir ?? Startup.freshDemoDirectory()
        let prepared = try Startup.prepare(dataDir: directory)
        let logger = Startup.makeLogger()
        let sandboxPort = self.sandboxPort
        let sandboxReady = SandboxReady()
        let sandbox = buildSandbox(SandboxConfiguration(port: sandboxPort), logger: logger, onRunning: { port, _ in
            await sandboxReady.set(port)
        })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await sandbox.runService()
                } catch {
                    throw Failure(message: "De Loket-simulator kon niet starten op poort \(sandboxPort): \(Startup.describe(error))")
                }
            }
            let boundPort = await sandboxReady.wait()
            FileHandle.standardError.write(Data("Loket-simulator: http://127.0.0.1:\(boundPort) (inloggen met demo / demo)\nDemogegevens in \(directory)\n".utf8))
            group.addTask {
                try await Startup.serve(
                    port: self.port,
                    prepared: prepared,
                    defaults: LoketDefaults(simulatorURL: "http://127.0.0.1:\(boundPort)", simulatorIsOurs: true),
                    openBrowser: !self.noOpen,
                    banner: "loonjournaal-demo draait. Open deze link (eenmalig geldig, 2 minuten):"
                )
            }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// Waits for the simulator's real port.
actor SandboxReady {
    private var port: Int?
    private var waiters: [CheckedContinuation<Int, Never>] = []
    func set(_ port: Int) {
        self.port = port
        for waiter in self.waiters { waiter.resume(returning: port) }
        self.waiters = []
    }
    func wait() async -> Int {
        if let port { return port }
        return await withCheckedContinuation { self.waiters.append($0) }
    }
}

/// `loonjournaal export`: the booked ledger of one administration and year as XAF or CSV.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Exporteer de geboekte boekingen van een administratie als auditfile (XAF) of CSV.")

    @Option(help: "Code van de administratie, bijvoorbeeld L5001.")
    var administration: String

    @Option(help: "Boekjaar, bijvoorbeeld 2026.")
    var year: Int

    @Option(help: "xaf (XAF 3.2), xaf4 (XAF 4.0) of csv.")
    var format: String

    @Option(help: "Uitvoerbestand (standaard CODE-JAAR.xaf of .csv in de huidige map).")
    var output: String?

    @Option(name: .customLong("data-dir"), help: "Map met de gegevens.")
    var dataDir: String?

    func validate() throws {
        guard ExportFormat(rawValue: self.format) != nil else { throw ValidationError("--format moet xaf, xaf4 of csv zijn.") }
        guard (1990...2100).contains(self.year) else { throw ValidationError("--year moet tussen 1990 en 2100 liggen.") }
    }

    func run() async throws {
        let format = ExportFormat(rawValue: self.format)!
        let directory = DataDirectory.resolve(explicit: self.dataDir, environment: ProcessInfo.processInfo.environment)
        guard FileManager.default.fileExists(atPath: directory.databaseURL.path) else {
            throw Failure(message: "Er is geen database in \(directory.url.path). Geef de juiste map met --data-dir.")
        }
        let database: AppDatabase
        do {
            database = try AppDatabase.openLive(at: directory.databaseURL, backupDirectory: directory.backupsURL)
        } catch {
            throw Failure(message: "De database in \(directory.url.path) kan niet worden geopend: \(error)")
        }
        guard let record = try database.administrationSummaries().first(where: { $0.code.caseInsensitiveCompare(self.administration) == .orderedSame }),
            let administration = try database.administration(id: record.id)
        else {
            throw Failure(message: "Administratie \(self.administration) bestaat niet in \(directory.url.path).")
        }
        let name = self.output ?? LedgerExporter.fileName(code: administration.code, year: self.year, format: format)
        let url = URL(fileURLWithPath: name, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        do {
            try LedgerExporter(database: database).export(administration: administration, year: self.year, format: format, to: url)
        } catch let error as ExportError {
            throw Failure(message: error.description)
        }
        let totals = try database.ledgerTotals(administrationId: administration.id!, year: self.year)
        FileHandle.standardOutput.write(Data("\(url.path): \(totals.entries) boekingen, \(totals.lines) regels, debet \(totals.debit.euro), credit \(totals.credit.euro)\n".utf8))
        if ProcessInfo.processInfo.environment["LOONJOURNAAL_REPORT_PEAK_MEMORY"] == "1" {
            FileHandle.standardError.write(Data("peak-rss-kb \(PeakMemory.kilobytes())\n".utf8))
        }
    }
}

/// This binary run again as a child process, for the benchmarks.
enum SelfProcess {
    /// Runs `loonjournaal ARGUMENTS` with peak-memory reporting; returns its wall time and peak
    /// RSS in kB, or throws with its stderr when it fails.
    static func runMeasured(_ arguments: [String], failure: String) throws -> (wall: Duration, peakKilobytes: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["LOONJOURNAAL_REPORT_PEAK_MEMORY": "1"]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let started = ContinuousClock.now
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let wall = ContinuousClock.now - started
        let text = String(decoding: stderr, as: UTF8.self)
        guard process.terminationStatus == 0,
            let peak = text.split(separator: "\n").first(where: { $0.hasPrefix("peak-rss-kb ") }).flatMap({ Int($0.dropFirst(12)) })
        else {
            throw Failure(message: "\(failure):\n\(text.suffix(2000))")
        }
        return (wall, peak)
    }
}

/// Peak resident memory of this process (VmHWM from /proc/self/status).
enum PeakMemory {
    static func kilobytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1]) ?? -1
        }
        return -1
    }
}

/// `loonjournaal bench-export`: the export memory benchmark. Builds a ledger of N booked lines in a
/// temporary data directory, then runs `loonjournaal export` on it as a separate process and
/// prints its peak resident memory. Not part of the test run.
struct BenchExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-export", abstract: "Meet het geheugengebruik van een export van N regels.", shouldDisplay: false
    )

    @Option(help: "Aantal geboekte regels.")
    var lines: Int = 1_000_000

    @Option(help: "xaf, xaf4 of csv.")
    var format: String = "xaf"

    func validate() throws {
        guard (10...50_000_000).contains(self.lines) else { throw ValidationError("--lines moet tussen 10 en 50.000.000 liggen.") }
        guard ExportFormat(rawValue: self.format) != nil else { throw ValidationError("--format moet xaf, xaf4 of csv zijn.") }
    }

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "loonjournaal-bench-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = DataDirectory(url: directory.appending(path: "data"))
        try data.prepare()
        let started = ContinuousClock.now
        let database = try AppDatabase.openLive(at: data.databaseURL, backupDirectory: data.backupsURL)
        let administration = try database.createAdministration(
            AdministrationDetails(code: "BENCH", name: "Benchmark B.V.", fiscalYear: 2026, chamberOfCommerceNumber: "12345678", vatNumber: "NL123456789B01"),
            at: Date()
        )
        _ = try database.addStarterChart(administrationId: administration.id!, at: Date())
        try BenchmarkFixtures.fillLedger(databaseURL: data.databaseURL, administrationId: administration.id!, year: 2026, lines: self.lines)
        let prepared = ContinuousClock.now - started
        let output = directory.appending(path: "export.\(self.format == "csv" ? "csv" : "xaf")")
        let (exportTime, peak) = try SelfProcess.runMeasured(
            ["export", "--administration", "BENCH", "--year", "2026", "--format", self.format, "--output", output.path, "--data-dir", data.url.path],
            failure: "De export in de benchmark mislukte"
        )
        let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? NSNumber)?.intValue ?? 0
        let megabytes = Double(peak) / 1024
        print("export-benchmark format=\(self.format) lines=\(self.lines)")
        print("  prepare (insert) : \(prepared)")
        print("  export wall time : \(exportTime)")
        print("  output size      : \(size / 1_048_576) MB")
        print(String(format: "  peak RSS export  : %.1f MB (goal < 100 MB: %@)", megabytes, megabytes < 100 ? "met" : "MISSED"))
    }
}

/// `loonjournaal sandbox`: the Loket simulator alone.
struct Sandbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start alleen de Loket-simulator (OAuth en /v2 op 127.0.0.1).")

    @Option(help: "Poort op 127.0.0.1.")
    var port: Int = 8421

    @Option(help: "Aantal werkgevers (de eerste vijf zijn de vaste demo-werkgevers).")
    var employers: Int?

    @Option(name: .customLong("latency-ms"), help: "Vertraging van elk antwoord in milliseconden.")
    var latencyMilliseconds: Int = 0

    @Option(help: "Storingen, bv. 5xx=0.2,429=0.1,stall=0.05,token-ttl=30,malformed=0.01")
    var faults: String = ""

    @Option(name: .customLong("client-id"), help: "Geregistreerde client-id.")
    var clientId: String = "loonjournaal-demo"

    @Option(name: .customLong("client-secret"), help: "Geregistreerd clientgeheim.")
    var clientSecret: String = "demo-secret"

    @Option(name: .customLong("redirect-uri"), help: "Eén geregistreerd extern terugstuuradres (naast elk loopback-adres).")
    var redirectURI: String?

    @Option(name: .customLong("token-lifetime"), help: "Levensduur van toegangssleutels in seconden.")
    var tokenLifetime: Int = 3599

    @Option(name: .customLong("journal-delay"), help: "Seconden tot een gestart journaal klaar is (status 0 → 4).")
    var journalDelay: Double = 2

    func validate() throws {
        guard (0...65535).contains(self.port) else { throw ValidationError("De poort moet tussen 0 en 65535 liggen.") }
        if let employers, !(1...100_000).contains(employers) { throw ValidationError("--employers moet tussen 1 en 100000 liggen.") }
        guard (0...600_000).contains(self.latencyMilliseconds) else { throw ValidationError("--latency-ms moet tussen 0 en 600000 liggen.") }
        guard self.tokenLifetime > 0 else { throw ValidationError("--token-lifetime moet groter dan 0 zijn.") }
        guard (0...3600).contains(self.journalDelay) else { throw ValidationError("--journal-delay moet tussen 0 en 3600 seconden liggen.") }
        do { _ = try SandboxFaults.parse(self.faults) } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        let configuration = SandboxConfiguration(
            port: self.port,
            employers: self.employers,
            latencyMilliseconds: self.latencyMilliseconds,
            faults: try SandboxFaults.parse(self.faults),
            clientId: self.clientId,
            clientSecret: self.clientSecret,
            accessTokenLifetime: self.tokenLifetime,
            externalRedirectURI: self.redirectURI,
            journalDelaySeconds: self.journalDelay
        )
        let app = buildSandbox(configuration, logger: Startup.makeLogger(), onRunning: { port, _ in
            FileHandle.standardOutput.write(Data("Loket-simulator draait op http://127.0.0.1:\(port) (inloggen met demo / demo)\n".utf8))
        })
        do {
            try await app.runService()
        } catch {
            throw Failure(message: "De Loket-simulator kon niet starten: \(Startup.describe(error))")
        }
    }
}

/// Shared start-up steps of the commands that run the app.
enum Startup {
    struct Prepared: Sendable {
        let directory: DataDirectory
        let database: AppDatabase
        let lock: DataDirectoryLock
    }

    /// Another process holds the data directory.
    struct AlreadyRunning: Error {
        let directory: DataDirectory
        let message: String
    }

    /// Private files, data directory, single-instance lock, durable database.
    static func prepare(dataDir: String?) throws -> Prepared {
        umask(0o077)
        let directory = DataDirectory.resolve(explicit: dataDir, environment: ProcessInfo.processInfo.environment)
        do {
            try directory.prepare()
            let lock: DataDirectoryLock
            do {
                lock = try directory.acquireLock()
            } catch .inUse(let path) {
                throw AlreadyRunning(directory: directory, message: DataDirectoryError.inUse(path: path).description)
            }
            let database = try AppDatabase.openLive(at: directory.databaseURL, backupDirectory: directory.backupsURL)
            return Prepared(directory: directory, database: database, lock: lock)
        } catch let error as DataDirectoryError {
            throw Failure(message: error.description)
        } catch let error as AlreadyRunning {
            throw error
        } catch {
            throw Failure(message: "De database in \(directory.url.path) kan niet worden geopend: \(error)")
        }
    }

    static func serve(port: Int, prepared: Prepared, defaults: LoketDefaults, openBrowser: Bool, banner: String) async throws {
        // Pages of a few hundred kB are built and freed on every request; glibc would map and
        // unmap each of them (page faults on every request: p99 of a 300-line draft 88 → 36 ms,
        // BENCHMARKS.md). Keep such blocks in the heap instead.
        HeapTuning.keepLargeBlocks()
        let logger = self.makeLogger()
        let transport = LiveHTTPTransport()
        let loket = LoketService(
            database: prepared.database,
            tokenStore: FileTokenStore(url: prepared.directory.url.appending(path: "credentials.json")),
            transport: transport
        )
        // The way back in (`loonjournaal open`): a socket in the private data directory. We hold
        // the directory's lock, so a socket file left there is a dead instance's.
        let socket = prepared.directory.url.appending(path: ControlChannel.fileName).path
        unlink(socket)
        let app = try buildApplication(
            AppConfiguration(port: port, controlSocketPath: socket),
            dependencies: AppDependencies(database: prepared.database, loket: loket, loketDefaults: defaults, logger: logger)
        ) { running in
            let printed = running.launchURL()
            // Unbuffered, so a script reading our output sees the link at once.
            FileHandle.standardOutput.write(Data("\(banner)\n\(printed)\n".utf8))
            if openBrowser { Browser.open(running.launchURL()) }
        }
        do {
            try await app.runService()
        } catch {
            try? await transport.shutdown()
            throw Failure(message: "loonjournaal kon niet starten op poort \(port): \(self.describe(error))")
        }
        try? await transport.shutdown()
        withExtendedLifetime(prepared.lock) {}
    }

    /// A Dutch description of a start-up error (a taken port is the common one).
    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("Address already in use") || text.contains("EADDRINUSE") || text.contains("errno: 98") {
            return "de poort is al in gebruik. Kies een andere met --port (of stop het andere programma)."
        }
        return text
    }

    /// A new private directory for demo data.
    static func freshDemoDirectory() throws -> String {
        let base = FileManager.default.temporaryDirectory.appending(path: "loonjournaal-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return base.path
    }

    static func makeLogger() -> Logger {
        var logger = Logger(label: "loonjournaal")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
    }
}

/// glibc's `mallopt` (not in Swift's Glibc module), looked up at run time.
enum HeapTuning {
    static func keepLargeBlocks() {
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(-3, 16 << 20)  // M_MMAP_THRESHOLD: blocks below 16 MB come from the heap
        _ = mallopt(-1, 64 << 20)  // M_TRIM_THRESHOLD: give memory back above 64 MB free
    }
}

/// A start-up failure with a Dutch message for stderr; exit code 1.
struct Failure: Error, CustomStringConvertible {
    let message: String
    var description: String { self.message }
}

/// Opens the user's browser with `xdg-open` when there is one.
enum Browser {
    static func open(_ url: String) {
        let candidates = ["/usr/bin/xdg-open", "/usr/local/bin/xdg-open"]
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            FileHandle.standardError.write(Data("Geen xdg-open gevonden: open de link hierboven zelf in de browser.\n".utf8))
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
    }
}
