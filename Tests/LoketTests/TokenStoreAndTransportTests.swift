import Foundation
import LoketClient
import LoketSandbox
import Synchronization
import Testing

/// A transport that answers from a script and records what was asked.
final class ScriptedTransport: LoketHTTPTransport {
    let requests = Mutex<[LoketHTTPRequest]>([])
    let answer: @Sendable (LoketHTTPRequest) -> LoketHTTPResponse

    init(_ answer: @escaping @Sendable (LoketHTTPRequest) -> LoketHTTPResponse) {
        self.answer = answer
    }

    func send(_ request: LoketHTTPRequest, timeout: Duration) async throws -> LoketHTTPResponse {
        self.requests.withLock { $0.append(request) }
        return self.answer(request)
    }
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appending(path: "loonjournaal-tokens-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    return url
}

/// style-and-security.md B.8 #19: the credentials file.
@Suite struct FileTokenStoreTests {
    @Test func fileIs0600AndReplacedAtomically() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = FileTokenStore(url: directory.appending(path: "credentials.json"))
        try await store.save(LoketCredentials(clientSecret: "s", accessToken: "a1", accessTokenExpiresAt: Date(timeIntervalSince1970: 10), refreshToken: "r1"), for: 1)
        try await store.save(LoketCredentials(clientSecret: "t"), for: 2)
        let mode = try FileManager.default.attributesOfItem(atPath: directory.appending(path: "credentials.json").path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let dirMode = try FileManager.default.attributesOfItem(atPath: directory.path)[.posixPermissions] as? NSNumber
        #expect(dirMode?.intValue == 0o700)
        #expect(try await store.credentials(for: 1)?.refreshToken == "r1")
        #expect(try await store.credentials(for: 2)?.clientSecret == "t")
        // No temp files left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["credentials.json"])
        try await store.remove(connectionId: 2)
        #expect(try await store.credentials(for: 2) == nil)
    }

    @Test func looseFilesAreRefused() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appending(path: "credentials.json")
        let store = FileTokenStore(url: url)
        try await store.save(LoketCredentials(refreshToken: "r"), for: 1)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
        await #expect(throws: TokenStoreError.loosePermissions(path: url.path, mode: 0o644)) { _ = try await store.credentials(for: 1) }
    }

    @Test func aCrashMidWriteLeavesTheOldTokensReadable() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appending(path: "credentials.json")
        let store = FileTokenStore(url: url)
        try await store.save(LoketCredentials(refreshToken: "oud"), for: 1)
        // A write that died before its rename leaves only a temp file beside the real one.
        try Data("{\"connections\":{\"1\":{\"refreshT".utf8).write(to: directory.appending(path: ".credentials-abc.tmp"))
        #expect(try await store.credentials(for: 1)?.refreshToken == "oud")
        try await store.save(LoketCredentials(refreshToken: "nieuw"), for: 1)
        #expect(try await FileTokenStore(url: url).credentials(for: 1)?.refreshToken == "nieuw")
    }

    @Test func rotatedRefreshTokenIsStoredBeforeTheNewAccessTokenIsUsed() async throws {
        let store = InMemoryTokenStore()
        await store.save(LoketCredentials(clientSecret: "s", accessToken: "old", accessTokenExpiresAt: Date(timeIntervalSince1970: 0), refreshToken: "r1"), for: 7)
        let transport = ScriptedTransport { _ in
            LoketHTTPResponse(status: 200, body: Array(#"{"access_token":"new","token_type":"bearer","expires_in":3599,"refresh_token":"r2"}"#.utf8))
        }
        let environment = LoketEnvironment(kind: .custom, authURL: "https://oauth.example", apiURL: "https://api.example", clientId: "c")
        let session = LoketSession(connectionId: 7, tokenClient: TokenClient(environment: environment, transport: transport), store: store, now: { Date(timeIntervalSince1970: 100) })
        #expect(try await session.accessToken() == "new")
        let stored = await store.credentials(for: 7)
        #expect(stored?.refreshToken == "r2" && stored?.accessToken == "new" && stored?.clientSecret == "s")
        let sent = transport.requests.withLock { $0 }
        #expect(sent.count == 1)
        #expect(sent[0].url == "https://oauth.example/token")
        let body = String(decoding: sent[0].body ?? [], as: UTF8.self)
        #expect(body.contains("grant_type=refresh_token") && body.contains("refresh_token=r1") && body.contains("client_secret=s"))
    }
}

/// B.8 #20: outbound requests.
@Suite struct OutboundRequestTests {
    @Test func bearerGoesOnlyToTheAPIAndTheTokenCallCarriesNone() async throws {
        let transport = ScriptedTransport { request in
            if request.url.hasSuffix("/token") {
                return LoketHTTPResponse(status: 200, body: Array(#"{"access_token":"A","expires_in":3599,"refresh_token":"R"}"#.utf8))
            }
            return LoketHTTPResponse(status: 200, body: Array(#"{"totalPages":1,"currentPage":1,"_embedded":[]}"#.utf8))
        }
        let environment = LoketEnvironment(kind: .custom, authURL: "https://oauth.example", apiURL: "https://api.example", clientId: "c")
        let store = InMemoryTokenStore()
        await store.save(LoketCredentials(refreshToken: "R0"), for: 1)
        let session = LoketSession(connectionId: 1, tokenClient: TokenClient(environment: environment, transport: transport), store: store)
        let client = LoketAPIClient(apiURL: "https://api.example/", session: session, transport: transport)
        _ = try await client.employers()
        let sent = transport.requests.withLock { $0 }
        let token = try #require(sent.first { $0.url.hasSuffix("/token") })
        #expect(!token.headers.contains { $0.0 == "Authorization" })
        #expect(token.headers.contains { $0 == ("Content-Type", "application/x-www-form-urlencoded") })
        let api = try #require(sent.first { $0.url.contains("/v2/") })
        #expect(api.url.hasPrefix("https://api.example/v2/providers/employers?"))
        #expect(api.headers.contains { $0 == ("Authorization", "Bearer A") })
        #expect(api.headers.contains { $0 == ("Accept", "application/json;version=2018-01-01") })
    }

    @Test func redirectsAreNotFollowed() async throws {
        try await Simulator.run { sim in
            // The simulator answers a cancelled login with a 302 to the redirect URI: the transport
            // hands the 302 back instead of following it (a code or token never goes elsewhere).
            let response = try await sim.post("/authorize", [("client_id", "loonjournaal-demo"), ("redirect_uri", "http://127.0.0.1:9/cb"), ("action", "cancel")])
            #expect(response.status == 302)
            #expect(response.header("Location")?.hasPrefix("http://127.0.0.1:9/cb?") == true)
        }
    }

    @Test func aWrongFieldTypeNamesEndpointAndField() async throws {
        let transport = ScriptedTransport { request in
            if request.url.hasSuffix("/token") {
                return LoketHTTPResponse(status: 200, body: Array(#"{"access_token":"A","expires_in":3599,"refresh_token":"R"}"#.utf8))
            }
            return LoketHTTPResponse(status: 200, body: Array(#"{"totalPages":1,"currentPage":1,"_embedded":[{"id":"x","companyName":42}]}"#.utf8))
        }
        let environment = LoketEnvironment(kind: .custom, authURL: "https://oauth.example", apiURL: "https://api.example", clientId: "c")
        let store = InMemoryTokenStore()
        await store.save(LoketCredentials(refreshToken: "R0"), for: 1)
        let session = LoketSession(connectionId: 1, tokenClient: TokenClient(environment: environment, transport: transport), store: store)
        let client = LoketAPIClient(apiURL: "https://api.example", session: session, transport: transport)
        await #expect(throws: LoketError.malformed(endpoint: "GET /v2/providers/employers", detail: "veld _embedded[0].companyName heeft een ander type dan verwacht")) {
            _ = try await client.employers()
        }
        #expect(LoketError.malformed(endpoint: "GET /v2/providers/employers", detail: "x").explanation.contains("Er is niets opgeslagen"))
    }
}
