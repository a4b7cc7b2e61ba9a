import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import NIOCore
import PayrollImport
import Reports
import Storage

/// How the server is started: address and the hook that learns the real port.
public struct AppConfiguration: Sendable {
    /// Always a loopback address; anything else is refused.
    public var hostname: String
    /// 0 picks a free port (tests).
    public var port: Int
    /// Lifetime of launch tokens.
    public var launchTokenLifetime: TimeInterval
    /// A connection that sends no complete request part (or stays silent between requests) for
    /// this long is closed: a slow or stuck client cannot hold a connection for ever.
    public var idleTimeout: Duration
    /// Where `loonjournaal open` asks for a fresh launch link (`ControlChannel`); nil: no way back in.
    public var controlSocketPath: String?

    public init(
        hostname: String = "127.0.0.1", port: Int = 8420, launchTokenLifetime: TimeInterval = 120, idleTimeout: Duration = .seconds(30),
        controlSocketPath: String? = nil
    ) {
        self.hostname = hostname
        self.port = port
        self.launchTokenLifetime = launchTokenLifetime
        self.idleTimeout = idleTimeout
        self.controlSocketPath = controlSocketPath
    }
}

/// Everything the app talks to, passed in so tests can choose (isowords' single environment).
public struct AppDependencies: Sendable {
    public var database: AppDatabase
    public var loket: LoketService
    public var loketDefaults: LoketDefaults
    public var now: @Sendable () -> Date
    public var logger: Logger
    /// Where downloads are written before they are sent (each in its own private folder).
    public var temporaryDirectory: URL

    public init(
        database: AppDatabase,
        loket: LoketService,
        loketDefaults: LoketDefaults = LoketDefaults(),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger,
        temporaryDirectory: URL = FileManager.default.temporaryDirectory
    ) {
        self.database = database
        self.loket = loket
        self.loketDefaults = loketDefaults
        self.now = now
        self.logger = logger
        self.temporaryDirectory = temporaryDirectory
    }
}

public enum AppStartError: Error, CustomStringConvertible, Equatable {
    case notLoopback(String)

    public var description: String {
        switch self {
        case .notLoopback(let host):
            "loonjournaal luistert alleen op 127.0.0.1 (gevraagd: \(host)). Dat is zo om andere computers buiten te houden."
        }
    }
}

/// What the running server offers its starter: the real port and fresh launch links.
public struct RunningServer: Sendable {
    public let origin: ServerOrigin
    public let tokens: LaunchTokens

    /// A new single-use launch link.
    public func launchURL() -> String {
        "\(self.origin.url)/launch?token=\(self.tokens.issue())"
    }
}

/// Builds the whole web application; used by `loonjournaal serve` and by the tests.
/// - Parameter onRunning: called once the port is bound (print the launch link, open the browser).
public func buildApplication(
    _ configuration: AppConfiguration,
    dependencies: AppDependencies,
    onRunning: @escaping @Sendable (RunningServer) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    guard configuration.hostname == "127.0.0.1" else { throw AppStartError.notLoopback(configuration.hostname) }
    let origin = ServerOrigin(port: configuration.port)
    let tokens = LaunchTokens(lifetime: configuration.launchTokenLifetime, now: dependencies.now)
    // The one background bulk sync of this app: a service of the application, stopped with it.
    let jobs = SyncJobs(sync: BulkSync(importer: RunImporter(database: dependencies.database, loket: dependencies.loket, now: dependencies.now)), now: dependencies.now)
    let router = try buildRouter(dependencies: dependencies, jobs: jobs, origin: origin, tokens: tokens)
    let running = RunningServer(origin: origin, tokens: tokens)
    var services: [any Service] = [jobs]
    if let socket = configuration.controlSocketPath {
        services.append(ControlChannel.application(socketPath: socket, running: running, logger: dependencies.logger))
    }
    return Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: TimeAmount(configuration.idleTimeout))),
        configuration: .init(address: .hostname(configuration.hostname, port: configuration.port), serverName: nil),
        services: services,
        onServerRunning: { channel in
            if let port = channel.localAddress?.port { origin.setPort(port) }
            await onRunning(running)
        },
        logger: dependencies.logger
    )
}

/// The router with its middleware chain (outermost first) and one controller per feature.
func buildRouter(dependencies: AppDependencies, jobs: SyncJobs, origin: ServerOrigin, tokens: LaunchTokens) throws -> Router<AppRequestContext> {
    let renderer = try PageRenderer()
    let sessions = SessionStore(database: dependencies.database, now: dependencies.now)
    let router = Router(context: AppRequestContext.self)
    router.addMiddleware {
        RequestLogMiddleware(logger: dependencies.logger)
        SecurityHeadersMiddleware()
        ErrorPageMiddleware(renderer: renderer, logger: dependencies.logger)
        HostCheckMiddleware(origin: origin)
        StaticAssetMiddleware()
        CrossOriginMiddleware(origin: origin)
        SessionMiddleware(sessions: sessions, origin: origin, database: dependencies.database, now: dependencies.now)
        CSRFMiddleware()
    }
    let pages = PageSupport(
        renderer: renderer, sessions: sessions, database: dependencies.database,
        bookkeeping: Bookkeeping(database: dependencies.database, now: dependencies.now), now: dependencies.now
    )
    LaunchController(tokens: tokens, sessions: sessions, origin: origin, renderer: renderer).addRoutes(to: router)
    DashboardController(pages: pages, jobs: jobs).addRoutes(to: router)
    AdministrationController(pages: pages).addRoutes(to: router)
    AccountController(pages: pages).addRoutes(to: router)
    ChartSetupController(pages: pages).addRoutes(to: router)
    ConnectionController(pages: pages, loket: dependencies.loket, defaults: dependencies.loketDefaults, origin: origin).addRoutes(to: router)
    CompanyListController(pages: pages, loket: dependencies.loket).addRoutes(to: router)
    EntryController(pages: pages, importer: RunImporter(database: dependencies.database, loket: dependencies.loket, now: dependencies.now))
        .addRoutes(to: router)
    LedgerController(
        pages: pages, exporter: LedgerExporter(database: dependencies.database, now: dependencies.now), temporaryDirectory: dependencies.temporaryDirectory
    ).addRoutes(to: router)
    FileImportController(pages: pages, importer: PayrollFileImporter(database: dependencies.database, now: dependencies.now)).addRoutes(to: router)
    SyncController(pages: pages, jobs: jobs).addRoutes(to: router)
    let control = MonthEndControl(importer: RunImporter(database: dependencies.database, loket: dependencies.loket, now: dependencies.now))
    MonthEndController(pages: pages, control: control).addRoutes(to: router)
    EvidenceController(
        pages: pages, evidence: Evidence(database: dependencies.database, loket: dependencies.loket, now: dependencies.now),
        exporter: LedgerExporter(database: dependencies.database, now: dependencies.now), temporaryDirectory: dependencies.temporaryDirectory
    ).addRoutes(to: router)
    YearEndController(pages: pages, yearEnd: YearEnd(importer: RunImporter(database: dependencies.database, loket: dependencies.loket, now: dependencies.now)))
        .addRoutes(to: router)
    WageTaxController(pages: pages, control: control).addRoutes(to: router)
    return router
}
