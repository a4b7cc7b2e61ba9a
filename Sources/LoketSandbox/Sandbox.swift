import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// How the simulator runs: port, data size, client registration, latency and faults.
public struct SandboxConfiguration: Sendable {
    public var port: Int
    /// nil: the seeded set; otherwise this many employers (seeded ones first).
    public var employers: Int?
    public var latencyMilliseconds: Int
    public var faults: SandboxFaults
    public var clientId: String
    public var clientSecret: String
    /// Lifetime of access tokens (`expires_in`).
    public var accessTokenLifetime: Int
    /// One registered non-loopback redirect URI (for the paste flow).
    public var externalRedirectURI: String?
    public var seed: UInt64
    /// Seconds a journal run started with `initiate` stays in status 0 before its journal is ready.
    public var journalDelaySeconds: Double

    public init(
        port: Int = 8421,
        employers: Int? = nil,
        latencyMilliseconds: Int = 0,
        faults: SandboxFaults = SandboxFaults(),
        clientId: String = "loonjournaal-demo",
        clientSecret: String = "demo-secret",
        accessTokenLifetime: Int = 3599,
        externalRedirectURI: String? = nil,
        seed: UInt64 = 0x6C6F_6F6E,
        journalDelaySeconds: Double = 2
    ) {
        self.port = port
        self.employers = employers
        self.latencyMilliseconds = latencyMilliseconds
        self.faults = faults
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.accessTokenLifetime = accessTokenLifetime
        self.externalRedirectURI = externalRedirectURI
        self.seed = seed
        self.journalDelaySeconds = journalDelaySeconds
    }
}

/// A handle on a running simulator for tests and the benchmark: counters, the TOTP code.
public struct SandboxHandle: Sendable {
    let state: SandboxState
    public var apiRequests: Int { self.state.counters.apiRequests }
    public var tokenRequests: Int { self.state.counters.tokenRequests }
    public var refreshes: Int { self.state.counters.refreshes }
    public var faultsInjected: Int { self.state.counters.faultsInjected }
    /// The most API requests that were ever being answered at the same time.
    public var maxConcurrentRequests: Int { self.state.counters.maxInFlight }
    /// Starts counting `maxConcurrentRequests` afresh (e.g. after the set-up calls).
    public func resetMaxConcurrentRequests() { self.state.withWorld { $0.counters.maxInFlight = $0.counters.inFlight } }
    /// Ids of the journal runs an import can take (status 4 or higher), per payroll administration.
    public var importableRuns: [String: [String]] {
        self.state.withWorld { world in
            var result: [String: [String]] = [:]
            for employer in world.employers where employer.visible {
                for admin in employer.administrations { result[admin.id] = admin.runs.filter { $0.status >= 4 }.map(\.id) }
            }
            return result
        }
    }
    /// Every PATCH received: journal-run id, action and message.
    public var patches: [(id: String, action: String, message: String?)] { self.state.counters.patches }
    public func currentTOTP() -> String { self.state.totpCode() }
    /// Current Loket status key of a journal run.
    public func journalRunStatus(_ id: String) -> Int? {
        self.state.withWorld { world in
            for employer in world.employers { for admin in employer.administrations { for run in admin.runs where run.id == id { return run.status } } }
            return nil
        }
    }
    /// Gives every line of a journal run this amount on its side (a run beyond what one entry may
    /// hold, for the tests of the import limits): even lines debit, odd lines credit.
    public func setEveryLineAmount(ofRun id: String, cents: Int64) {
        self.state.withWorld { world in
            for e in world.employers.indices {
                for a in world.employers[e].administrations.indices {
                    for r in world.employers[e].administrations[a].runs.indices where world.employers[e].administrations[a].runs[r].id == id {
                        let lines = world.employers[e].administrations[a].runs[r].lines
                        world.employers[e].administrations[a].runs[r].lines = lines.enumerated().map { index, line in
                            var copy = line
                            copy.debitCents = index % 2 == 0 ? cents : 0
                            copy.creditCents = index % 2 == 0 ? 0 : cents
                            return copy
                        }
                    }
                }
            }
        }
    }
    /// Makes every refresh token invalid (as when the user revokes the app in Loket).
    public func revokeRefreshTokens() { self.state.withWorld { $0.refreshTokens.removeAll() } }
    /// Tokens issued from now on live this many seconds (a test's set-up can log in with normal
    /// tokens first, then make the sync work with short-lived ones).
    public func setTokenLifetime(seconds: Int) { self.state.withWorld { $0.tokenLifetimeOverride = seconds } }
    /// Ends every access token now.
    public func expireAccessTokens() { self.state.withWorld { $0.accessTokens.removeAll() } }
    /// While false, the journal report and run overviews answer 503 (Loket cannot make them now).
    public func setDocumentsAvailable(_ available: Bool) { self.state.withWorld { $0.documentsDown = !available } }
}

/// Builds the Loket simulator: OAuth pages and `/v2` JSON on 127.0.0.1.
public func buildSandbox(
    _ configuration: SandboxConfiguration,
    logger: Logger,
    now: @escaping @Sendable () -> Date = { Date() },
    onRunning: @escaping @Sendable (Int, SandboxHandle) async -> Void = { _, _ in }
) -> some ApplicationProtocol {
    let state = SandboxState(employers: SeedData.employers(count: configuration.employers), seed: configuration.seed, now: now)
    let router = Router()
    router.addMiddleware {
        SandboxLogMiddleware(logger: logger)
        InFlightMiddleware(state: state)
        LatencyMiddleware(milliseconds: configuration.latencyMilliseconds)
    }
    let oauth = SandboxOAuth(configuration: configuration, state: state)
    oauth.addRoutes(to: router)
    SandboxAPI(configuration: configuration, state: state).addRoutes(to: router)
    router.get("/") { _, _ in
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "Loket-simulator van loonjournaal. OAuth: /authorize en /token; API: /v2/providers/employers\n"))
        )
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: configuration.port), serverName: nil),
        onServerRunning: { channel in
            await onRunning(channel.localAddress?.port ?? configuration.port, SandboxHandle(state: state))
        },
        logger: logger
    )
}

/// Logs method, path and status only (no query: it carries codes and state).
struct SandboxLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        self.logger.debug("sandbox", metadata: ["method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(response.status.code)"])
        return response
    }
}

/// Counts `/v2` requests being answered, latency included (what a client sees as in flight).
struct InFlightMiddleware<Context: RequestContext>: RouterMiddleware {
    let state: SandboxState
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/v2/") else { return try await next(request, context) }
        self.state.withWorld { world in
            world.counters.inFlight += 1
            world.counters.maxInFlight = max(world.counters.maxInFlight, world.counters.inFlight)
        }
        defer { self.state.withWorld { $0.counters.inFlight -= 1 } }
        return try await next(request, context)
    }
}

/// Delays every response by the configured latency (network simulation).
struct LatencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let milliseconds: Int
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if self.milliseconds > 0 { try await Task.sleep(for: .milliseconds(self.milliseconds)) }
        return try await next(request, context)
    }
}
