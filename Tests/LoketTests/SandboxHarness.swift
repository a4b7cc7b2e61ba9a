import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import LoketClient
import LoketSandbox
import Synchronization
import Testing

/// A clock the tests move by hand, shared by simulator and client.
final class ManualClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_790_000_000))
    var now: Date { self.current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { self.current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// The simulator on a real loopback port for one test.
struct Simulator {
    /// How long a request that is not itself under test may take. A loopback answer comes in
    /// milliseconds, but all suites run at once on a CI machine of two cores, and a tight limit
    /// there made tests about other things fail with a time-out.
    static let patience: Duration = .seconds(60)

    let url: String
    let handle: SandboxHandle
    let clock: ManualClock
    let transport: LiveHTTPTransport

    var environment: LoketEnvironment {
        LoketEnvironment(kind: .simulator, authURL: self.url, apiURL: self.url, clientId: "loonjournaal-demo")
    }

    static func run(
        _ configuration: SandboxConfiguration = SandboxConfiguration(port: 0),
        _ body: @Sendable (Simulator) async throws -> Void
    ) async throws {
        let clock = ManualClock()
        let box = Mutex<(Int, SandboxHandle)?>(nil)
        var configuration = configuration
        configuration.port = 0
        let app = buildSandbox(configuration, logger: Logger(label: "sandbox-test"), now: { clock.now }) { port, handle in
            box.withLock { $0 = (port, handle) }
        }
        try await app.test(.live) { client in
            let (_, handle) = box.withLock { $0! }
            let transport = LiveHTTPTransport()
            let simulator = Simulator(url: "http://127.0.0.1:\(client.port!)", handle: handle, clock: clock, transport: transport)
            do {
                try await body(simulator)
            } catch {
                try? await transport.shutdown()
                throw error
            }
            try await transport.shutdown()
        }
    }

    /// Drives the login page like a browser: returns the query of the redirect (code/state or error).
    func authorize(
        user: String = "demo", password: String = "demo", redirectURI: String = "http://127.0.0.1:9/oauth/callback",
        state: String = "state-123", pkce: PKCE? = PKCE(), cancel: Bool = false, totp: String? = nil
    ) async throws -> (AuthorizationResponse, PKCE?) {
        let url = authorizeURL(environment: self.environment, redirectURI: redirectURI, state: state, pkce: pkce ?? PKCE())
        let page = try await self.transport.send(LoketHTTPRequest(method: "GET", url: url), timeout: Self.patience)
        #expect(page.status == 200)
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(html.contains("gebruiker <strong>demo</strong>, wachtwoord <strong>demo</strong>"))
        var fields: [(String, String)] = [
            ("client_id", "loonjournaal-demo"), ("redirect_uri", redirectURI), ("state", state), ("scope", "all"),
            ("code_challenge", pkce?.challenge ?? ""), ("code_challenge_method", pkce == nil ? "" : "S256"),
            ("username", user), ("password", password), ("action", cancel ? "cancel" : "login"),
        ]
        var response = try await self.post("/authorize", fields)
        if user == "demo2fa" && !cancel && response.status == 200 {
            let body = String(decoding: response.body, as: UTF8.self)
            let pending = try #require(body.firstMatch(of: /name="pending" value="([^"]+)"/)).1
            let code = try #require(body.firstMatch(of: /id="current-code">(\d{6})</)).1
            fields = [("pending", String(pending)), ("code", totp ?? String(code)), ("action", "verify")]
            response = try await self.post("/authorize/totp", fields)
        }
        guard response.status == 302, let location = response.header("Location") else {
            return (AuthorizationResponse(error: "http_\(response.status)"), pkce)
        }
        return (AuthorizationResponse.parse(pastedURL: location) ?? AuthorizationResponse(), pkce)
    }

    func post(_ path: String, _ fields: [(String, String)]) async throws -> LoketHTTPResponse {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
        return try await self.transport.send(
            LoketHTTPRequest(method: "POST", url: self.url + path, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8)),
            timeout: Self.patience
        )
    }

    /// Logs in as `demo` and returns an API client whose tokens live in an in-memory store.
    /// `timeout` is the API client's; the log-in and token calls always wait `patience`.
    func connectedClient(connectionId: Int64 = 1, store: InMemoryTokenStore = InMemoryTokenStore(), timeout: Duration = Simulator.patience, retry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5)))
        async throws -> (LoketAPIClient, LoketSession)
    {
        let (response, pkce) = try await self.authorize()
        let tokens = try await TokenClient(environment: self.environment, transport: self.transport, timeout: Self.patience)
            .exchange(code: try #require(response.code), redirectURI: "http://127.0.0.1:9/oauth/callback", verifier: pkce!.verifier, clientSecret: "demo-secret")
        let session = LoketSession(
            connectionId: connectionId,
            tokenClient: TokenClient(environment: self.environment, transport: self.transport, timeout: Self.patience),
            store: store,
            now: { self.clock.now }
        )
        try await session.begin(with: tokens, clientSecret: "demo-secret")
        let client = LoketAPIClient(apiURL: self.url, session: session, transport: self.transport, retry: retry, timeout: timeout, sleep: { _ in })
        return (client, session)
    }
}
