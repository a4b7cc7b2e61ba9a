import Foundation

/// Tokens as Loket's `/token` returns them.
public struct TokenResponse: Sendable, Equatable, Decodable {
    public let accessToken: String
    public let tokenType: String?
    public let expiresIn: Int
    public let refreshToken: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
    }
}

/// Talks to `POST {auth}/token`: code exchange and refresh, form-encoded, no redirects.
public struct TokenClient: Sendable {
    public let environment: LoketEnvironment
    public let transport: any LoketHTTPTransport
    public var timeout: Duration

    public init(environment: LoketEnvironment, transport: any LoketHTTPTransport, timeout: Duration = .seconds(30)) {
        self.environment = environment
        self.transport = transport
        self.timeout = timeout
    }

    /// Exchanges an authorization code (with the PKCE verifier) for tokens.
    public func exchange(code: String, redirectURI: String, verifier: String, clientSecret: String?) async throws -> TokenResponse {
        var fields = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirectURI),
            ("client_id", self.environment.clientId),
            ("code_verifier", verifier),
        ]
        if let clientSecret, !clientSecret.isEmpty { fields.append(("client_secret", clientSecret)) }
        return try await self.post(fields)
    }

    /// Uses a refresh token; Loket may hand out a new one (rotation).
    public func refresh(refreshToken: String, clientSecret: String?) async throws -> TokenResponse {
        var fields = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refreshToken),
            ("client_id", self.environment.clientId),
        ]
        if let clientSecret, !clientSecret.isEmpty { fields.append(("client_secret", clientSecret)) }
        return try await self.post(fields)
    }

    private func post(_ fields: [(String, String)]) async throws -> TokenResponse {
        let endpoint = "POST /token"
        let body = fields.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        let request = LoketHTTPRequest(
            method: "POST",
            url: self.environment.authURL + "/token",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array(body.utf8)
        )
        let response: LoketHTTPResponse
        do {
            response = try await self.transport.send(request, timeout: self.timeout)
        } catch TransportError.timeout {
            throw LoketError.timeout(endpoint: endpoint)
        } catch {
            throw LoketError.unreachable(endpoint: endpoint)
        }
        switch response.status {
        case 200:
            do {
                let tokens = try JSONDecoder().decode(TokenResponse.self, from: Data(response.body))
                guard !tokens.accessToken.isEmpty, tokens.expiresIn > 0 else {
                    throw LoketError.malformed(endpoint: endpoint, detail: "leeg access_token of expires_in")
                }
                return tokens
            } catch let error as LoketError {
                throw error
            } catch {
                throw LoketError.malformed(endpoint: endpoint, detail: JSONProblem.describe(error))
            }
        case 400, 401:
            let payload = try? JSONDecoder().decode(OAuthErrorBody.self, from: Data(response.body))
            throw LoketError.oauth(code: payload?.error.lowercased() ?? "invalid_request", description: payload?.errorDescription)
        case 429:
            throw LoketError.rateLimited(endpoint: endpoint)
        case 500...599:
            throw LoketError.server(endpoint: endpoint, status: response.status)
        default:
            throw LoketError.oauth(code: "http_\(response.status)", description: nil)
        }
    }

    struct OAuthErrorBody: Decodable {
        let error: String
        let errorDescription: String?
        enum CodingKeys: String, CodingKey {
            case error
            case errorDescription = "error_description"
        }
    }
}

public enum FormEncoding {
    public static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// A short description of a decoding failure that names the field.
enum JSONProblem {
    static func describe(_ error: any Error) -> String {
        if let problem = error as? CustomStringConvertible, !(error is DecodingError) { return problem.description }
        guard let error = error as? DecodingError else { return "geen geldige JSON" }
        func path(_ context: DecodingError.Context) -> String {
            let names = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return names.isEmpty ? "(hoofdniveau)" : names.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(_, let context): return "veld \(path(context)) heeft een ander type dan verwacht"
        case .valueNotFound(_, let context): return "veld \(path(context)) is leeg"
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "veld \(parent == "(hoofdniveau)" ? "" : parent + ".")\(key.stringValue) ontbreekt"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "geen geldige JSON" : "veld \(path(context)) is ongeldig (\(context.debugDescription))"
        @unknown default: return "onleesbaar antwoord"
        }
    }
}
