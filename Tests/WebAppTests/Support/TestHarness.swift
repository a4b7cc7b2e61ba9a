import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import LoketClient
import LoketSandbox
import NIOCore
import PayrollImport
import Storage
import Synchronization
import Testing

@testable import WebApp

/// A clock the tests move by hand.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_769_860_800))
    var now: Date { self.current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { self.current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Collects every log line (message and metadata) so tests can look for leaked secrets.
final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])
    var text: String { self.lines.withLock { $0.joined(separator: "\n") } }

    func logger() -> Logger {
        Logger(label: "test") { _ in CapturingHandler(capture: self) }
    }

    struct CapturingHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = self.metadata.merging(event.metadata ?? [:]) { $1 }
            self.capture.lines.withLock { $0.append("\(event.level) \(event.message) \(all)") }
        }
    }
}

/// A temp directory removed when the harness ends.
final class TempDirectory: Sendable {
    let url: URL
    init() throws {
        self.url = FileManager.default.temporaryDirectory.appending(path: "loonjournaal-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: self.url) }
}

/// A response with its body as text.
struct Page {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: String

    var csrfToken: String? {
        guard let range = self.body.range(of: "name=\"csrf-token\" content=\"") else { return nil }
        let rest = self.body[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

/// The app on a real loopback port, a raw client that sets its own Host, and a signed-in session.
struct Harness {
    let client: TestClient
    let port: Int
    let running: RunningServer
    let database: AppDatabase
    let clock: TestClock
    let logs: LogCapture
    var cookie: String = ""
    var csrf: String = ""

    var host: String { "127.0.0.1:\(self.port)" }
    var origin: String { "http://127.0.0.1:\(self.port)" }

    let simulator: SimulatorInfo?
    let tokenStore: FileTokenStore
    let dataDirectory: URL

    /// The simulator next to the app, when asked for.
    struct SimulatorInfo {
        let url: String
        let handle: SandboxHandle
        let transport: LiveHTTPTransport
    }

    /// Starts the app on a fresh database (and the Loket simulator when `simulator` is given),
    /// runs `body`, stops everything.
    static func run(
        signedIn: Bool = true,
        simulator: SandboxConfiguration? = nil,
        idleTimeout: Duration = .seconds(30),
        _ body: @Sendable (inout Harness) async throws -> Void
    ) async throws {
        guard let simulator else {
            try await self.runApp(signedIn: signedIn, simulator: nil, idleTimeout: idleTimeout, body)
            return
        }
        let box = Mutex<SandboxHandle?>(nil)
        var configuration = simulator
        configuration.port = 0
        let sandbox = buildSandbox(configuration, logger: Logger(label: "sandbox"), onRunning: { _, handle in box.withLock { $0 = handle } })
        try await sandbox.test(.live) { client in
            let transport = LiveHTTPTransport()
            let info = SimulatorInfo(url: "http://127.0.0.1:\(client.port!)", handle: box.withLock { $0! }, transport: transport)
            do {
                try await self.runApp(signedIn: signedIn, simulator: info, idleTimeout: idleTimeout, body)
            } catch {
                try? await transport.shutdown()
                throw error
            }
            try await transport.shutdown()
        }
    }

    private static func runApp(
        signedIn: Bool, simulator: SimulatorInfo?, idleTimeout: Duration, _ body: @Sendable (inout Harness) async throws -> Void
    ) async throws {
        let temp = try TempDirectory()
        let directory = DataDirectory(url: temp.url.appending(path: "data"))
        try directory.prepare()
        let database = try AppDatabase.openLive(at: directory.databaseURL, backupDirectory: directory.backupsURL)
        let clock = TestClock()
        let logs = LogCapture()
        let box = Mutex<RunningServer?>(nil)
        let transport = LiveHTTPTransport()
        let tokenStore = FileTokenStore(url: directory.url.appending(path: "credentials.json"))
        let loket = LoketService(
            database: database, tokenStore: tokenStore, transport: transport,
            retry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2)), timeout: .seconds(30), now: { clock.now }
        )
        let app = try buildApplication(
            AppConfiguration(port: 0, idleTimeout: idleTimeout),
            dependencies: AppDependencies(
                database: database, loket: loket, loketDefaults: LoketDefaults(simulatorURL: simulator?.url ?? "http://127.0.0.1:9"),
                now: { clock.now }, logger: logs.logger(), temporaryDirectory: temp.url.appending(path: "tmp")
            )
        ) { running in
            box.withLock { $0 = running }
        }
        try await app.test(.live) { liveClient in
            let port = liveClient.port!
            let client = TestClient(host: "127.0.0.1", port: port)
            client.connect()
            var harness = Harness(
                client: client,
                port: port,
                running: box.withLock { $0! },
                database: database,
                clock: clock,
                logs: logs,
                simulator: simulator,
                tokenStore: tokenStore,
                dataDirectory: directory.url
            )
            do {
                if signedIn { try await harness.signIn() }
                try await body(&harness)
            } catch {
                try? await client.shutdown()
                try? await transport.shutdown()
                throw error
            }
            try? await client.shutdown()  // the server may have closed an idle connection already
            try await transport.shutdown()
        }
        withExtendedLifetime(temp) {}
    }

    /// Follows a fresh launch link and keeps the session cookie and a CSRF token.
    mutating func signIn() async throws {
        let url = self.running.launchURL()
        let path = String(url.dropFirst(self.origin.count))
        let response = try await self.send(.get, path, authority: self.host, cookie: false)
        #expect(response.status == .seeOther)
        let setCookie = try #require(response.headers[.setCookie])
        self.cookie = String(setCookie.split(separator: ";")[0])
        let home = try await self.get("/")
        self.csrf = try #require(home.csrfToken)
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> Page {
        try await self.send(.get, path, headers: headers)
    }

    /// Posts a urlencoded form like our pages do (same origin, with the CSRF token unless given).
    func post(_ path: String, _ fields: [(String, String)], csrf: String? = nil, headers: HTTPFields? = nil) async throws -> Page {
        var all = fields
        if !fields.contains(where: { $0.0 == "_csrf" }) { all.append(("_csrf", csrf ?? self.csrf)) }
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var head = headers ?? [HTTPField.Name("Sec-Fetch-Site")!: "same-origin", .origin: self.origin]
        head[.contentType] = "application/x-www-form-urlencoded"
        return try await self.send(.post, path, headers: head, body: ByteBuffer(string: body))
    }

    /// Posts a multipart form with one file, as the CSV import form does.
    func upload(_ path: String, file: [UInt8], filename: String, fields: [(String, String)] = []) async throws -> Page {
        let boundary = "----loonjournaaltest\(UInt32.random(in: 0...UInt32.max))"
        var body = [UInt8]()
        for (name, value) in fields + [("_csrf", self.csrf)] {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        body += file
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        let headers: HTTPFields = [
            .contentType: "multipart/form-data; boundary=\(boundary)",
            HTTPField.Name("Sec-Fetch-Site")!: "same-origin",
            .origin: self.origin,
        ]
        return try await self.send(.post, path, headers: headers, body: ByteBuffer(bytes: body))
    }

    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        authority: String? = nil,
        headers: HTTPFields = [:],
        body: ByteBuffer? = nil,
        cookie: Bool = true
    ) async throws -> Page {
        var headers = headers
        if cookie && !self.cookie.isEmpty && headers[.cookie] == nil { headers[.cookie] = self.cookie }
        let request = TestClient.Request(path, method: method, authority: authority == "" ? nil : (authority ?? self.host), headers: headers, body: body)
        let response = try await self.client.execute(request)
        return Page(status: response.status, headers: response.headers, body: response.body.map { String(buffer: $0) } ?? "")
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
