import ArgumentParser
import Foundation
import Logging
import LoketClient
import LoketSandbox
import DevSupport
import PayrollImport
import Storage

#if canImport(Glibc)
import Glibc
#endif

extension SimulatorSetup {
    /// With a live transport and the data directory's credentials file.
    static func linkAll(database: AppDatabase, directory: DataDirectory, sandboxURL: String, starterChart: Bool) async throws -> Int {
        let transport = LiveHTTPTransport()
        let loket = LoketService(
            database: database, tokenStore: FileTokenStore(url: directory.url.appending(path: "credentials.json")), transport: transport
        )
        do {
            let linked = try await self.connectAndLinkAll(loket: loket, sandboxURL: sandboxURL, starterChart: starterChart)
            try? await transport.shutdown()
            return linked
        } catch let error as SetupError {
            try? await transport.shutdown()
            throw Failure(message: error.description)
        } catch {
            try? await transport.shutdown()
            throw error
        }
    }
}

/// `loonjournaal dev-setup`: a data directory connected to a running simulator, every payroll
/// administration linked (for the end-to-end tests and benchmarks; hidden).
struct DevSetup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-setup", abstract: "Koppel een gegevensmap aan een draaiende simulator (voor tests).", shouldDisplay: false
    )

    @Option(name: .customLong("data-dir")) var dataDir: String
    @Option(help: "Adres van de simulator, bv. http://127.0.0.1:8421") var sandbox: String
    @Flag(name: .customLong("no-chart")) var noChart = false

    func run() async throws {
        let prepared = try Startup.prepare(dataDir: self.dataDir)
        let linked = try await SimulatorSetup.linkAll(database: prepared.database, directory: prepared.directory, sandboxURL: self.sandbox, starterChart: !self.noChart)
        print("gekoppeld: \(linked)")
        withExtendedLifetime(prepared.lock) {}
    }
}

/// `loonjournaal bench-fixtures`: the report pages' data for `scripts/bench` (not part of the app).
struct BenchFixtures: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-fixtures", abstract: "Proefbalans- en koppelschermgegevens voor scripts/bench.", shouldDisplay: false
    )

    @Option(name: .customLong("data-dir")) var dataDir: String

    func run() async throws {
        let prepared = try Startup.prepare(dataDir: self.dataDir)
        let ids = try BenchmarkFixtures.reportAdministrations(database: prepared.database, databaseURL: prepared.directory.databaseURL)
        print("proefbalans: \(ids.trialBalance) koppelscherm: \(ids.mapping)")
        withExtendedLifetime(prepared.lock) {}
    }
}

/// Holds the in-process simulator's port and handle once it runs.
actor SandboxBox {
    private var value: (Int, SandboxHandle)?
    private var waiters: [CheckedContinuation<(Int, SandboxHandle), Never>] = []
    func set(_ port: Int, _ handle: SandboxHandle) {
        self.value = (port, handle)
        for waiter in self.waiters { waiter.resume(returning: (port, handle)) }
        self.waiters = []
    }
    func wait() async -> (Int, SandboxHandle) {
        if let value { return value }
        return await withCheckedContinuation { self.waiters.append($0) }
    }
}

/// `loonjournaal bench-sync`: the bulk-sync benchmark of issue 6 (not part of the tests). Per
/// case: a simulator in this process, a fresh data directory linked to all its administrations,
/// then `loonjournaal sync` as a separate process (its peak RSS is its own).
struct BenchSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-sync", abstract: "Meet het bijwerken van alle administraties tegen de simulator.", shouldDisplay: false
    )

    @Option(help: "Aantal werkgevers in de simulator.") var employers: Int = 200
    @Option(name: .customLong("latency-ms")) var latencyMilliseconds: Int = 50
    @Option var concurrency: Int = 4
    @Option(help: "Herhaal de meting zo vaak; de mediaan telt.") var repeats: Int = 1

    func run() async throws {
        print("sync-case employers=\(self.employers) latency-ms=\(self.latencyMilliseconds) concurrency=\(self.concurrency)")
        var walls: [Double] = []
        var last: (runs: Int, requests: Int, tokens: Int, rss: Int, commits: Double) = (0, 0, 0, 0, 0)
        for _ in 0..<max(self.repeats, 1) {
            let measured = try await self.measureOnce()
            walls.append(measured.wall)
            last = (measured.runs, measured.requests, measured.tokens, measured.rss, measured.commits)
        }
        walls.sort()
        let wall = walls[walls.count / 2]
        let floor = Double(last.requests) * Double(self.latencyMilliseconds) / 1000 / Double(self.concurrency)
        print("  runs imported       : \(last.runs)")
        print("  API requests        : \(last.requests) (+ \(last.tokens) token requests)")
        print(String(format: "  wall time (median)  : %.3f s  (all: %@)", wall, walls.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
        if self.latencyMilliseconds > 0 {
            print(String(format: "  network floor       : %.3f s  (requests × latency / concurrency)", floor))
            print(String(format: "  wall / floor        : %.2f  (goal ≤ 1.3)", wall / floor))
        } else {
            print(String(format: "  %d durable commits  : %.3f s  (single commits, same disk, same run)", last.runs, last.commits))
            print(String(format: "  wall / commits      : %.2f  (goal ≤ 2)", wall / max(last.commits, 0.000_001)))
        }
        print(String(format: "  peak RSS sync       : %.1f MB", Double(last.rss) / 1024))
    }

    func measureOnce() async throws -> (wall: Double, runs: Int, requests: Int, tokens: Int, rss: Int, commits: Double) {
        var logger = Logger(label: "bench-sandbox")
        logger.logLevel = .warning
        let box = SandboxBox()
        let sandbox = buildSandbox(
            SandboxConfiguration(port: 0, employers: self.employers, latencyMilliseconds: self.latencyMilliseconds), logger: logger,
            onRunning: { port, handle in await box.set(port, handle) }
        )
        let server = Task { try await sandbox.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        let (port, handle) = await box.wait()
        let base = FileManager.default.temporaryDirectory.appending(path: "loonjournaal-bench-sync-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: base) }
        let directory = DataDirectory(url: base.appending(path: "data"))
        try directory.prepare()
        let database = try AppDatabase.openLive(at: directory.databaseURL, backupDirectory: directory.backupsURL)
        _ = try await SimulatorSetup.linkAll(database: database, directory: directory, sandboxURL: "http://127.0.0.1:\(port)", starterChart: true)
        let requestsBefore = handle.apiRequests
        let tokensBefore = handle.tokenRequests
        let (elapsed, rss) = try SelfProcess.runMeasured(
            ["sync", "--data-dir", directory.url.path, "--concurrency", String(self.concurrency)], failure: "loonjournaal sync mislukte in de benchmark"
        )
        let runs = try database.syncTargets().reduce(0) { total, target in
            total + (try database.entriesByJournalRun(administrationId: target.administrationId).count)
        }
        // The yardstick: as many single durable commits in a fresh database on the same disk.
        let scratch = DataDirectory(url: base.appending(path: "commits"))
        try scratch.prepare()
        _ = try AppDatabase.openLive(at: scratch.databaseURL, backupDirectory: scratch.backupsURL)
        let commits = try BenchmarkFixtures.singleCommits(databaseURL: scratch.databaseURL, count: runs)
        func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
        return (seconds(elapsed), runs, handle.apiRequests - requestsBefore, handle.tokenRequests - tokensBefore, rss, seconds(commits))
    }
}
