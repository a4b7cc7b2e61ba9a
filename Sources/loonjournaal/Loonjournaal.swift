import ArgumentParser
import Foundation
import Logging
import Storage
import WebApp

#if canImport(Glibc)
import Glibc
#endif

/// `loonjournaal`: brings Loket payroll journal entries into a bookkeeping administration.
@main
struct Loonjournaal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loonjournaal",
        abstract: "Loonjournaalposten uit Loket.nl controleren, corrigeren en boeken.",
        subcommands: [Serve.self],
        defaultSubcommand: nil
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
        } catch {
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
        let started = try Startup.prepare(dataDir: self.dataDir)
        try await Startup.serve(
            port: self.port,
            database: started.database,
            lock: started.lock,
            openBrowser: !self.noOpen,
            banner: "loonjournaal draait. Open deze link (eenmalig geldig, 2 minuten):"
        )
    }
}

/// Shared start-up steps of the commands that run the app.
enum Startup {
    struct Prepared {
        let database: AppDatabase
        let lock: DataDirectoryLock
    }

    /// Private files, data directory, single-instance lock, durable database.
    static func prepare(dataDir: String?) throws -> Prepared {
        umask(0o077)
        let directory = DataDirectory.resolve(explicit: dataDir, environment: ProcessInfo.processInfo.environment)
        do {
            try directory.prepare()
            let lock = try directory.acquireLock()
            let database = try AppDatabase.openLive(at: directory.databaseURL, backupDirectory: directory.backupsURL)
            return Prepared(database: database, lock: lock)
        } catch let error as DataDirectoryError {
            throw Failure(message: error.description)
        } catch {
            throw Failure(message: "De database in \(directory.url.path) kan niet worden geopend: \(error)")
        }
    }

    static func serve(port: Int, database: AppDatabase, lock: DataDirectoryLock, openBrowser: Bool, banner: String) async throws {
        let logger = self.makeLogger()
        let app = try buildApplication(
            AppConfiguration(port: port),
            dependencies: AppDependencies(database: database, logger: logger)
        ) { running in
            let printed = running.launchURL()
            // Unbuffered, so a script reading our output sees the link at once.
            FileHandle.standardOutput.write(Data("\(banner)\n\(printed)\n".utf8))
            if openBrowser { Browser.open(running.launchURL()) }
        }
        do {
            try await app.runService()
        } catch where "\(error)".contains("Address already in use") || "\(error)".contains("EADDRINUSE") {
            throw Failure(message: "Poort \(port) op 127.0.0.1 is al in gebruik. Kies een andere met --port.")
        }
        withExtendedLifetime(lock) {}
    }

    static func makeLogger() -> Logger {
        var logger = Logger(label: "loonjournaal")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
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
