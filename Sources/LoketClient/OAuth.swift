import Crypto
import Foundation

/// PKCE (RFC 7636, S256): a 43-character verifier and its SHA-256 challenge.
public struct PKCE: Sendable, Equatable {
    public let verifier: String
    public let challenge: String

    public init() {
        self.init(verifier: OAuthRandom.token(byteCount: 32))
    }

    public init(verifier: String) {
        self.verifier = verifier
        self.challenge = Self.challenge(for: verifier)
    }

    public static func challenge(for verifier: String) -> String {
        OAuthRandom.base64URL(Array(SHA256.hash(data: Data(verifier.utf8))))
    }
}

/// Random values for `state` and PKCE from the system CSPRNG.
public enum OAuthRandom {
    public static func token(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return self.base64URL((0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    public static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Builds Loket's authorize URL: `response_type=code`, `scope=all`, `state`, PKCE S256.
public func authorizeURL(environment: LoketEnvironment, redirectURI: String, state: String, pkce: PKCE) -> String {
    let parameters = [
        ("client_id", environment.clientId),
        ("redirect_uri", redirectURI),
        ("response_type", "code"),
        ("scope", "all"),
        ("state", state),
        ("code_challenge", pkce.challenge),
        ("code_challenge_method", "S256"),
    ]
    // Every value strictly percent-encoded (RFC 3986 unreserved characters only).
    return environment.authURL + "/authorize?" + parameters.map { "\($0.0)=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
}

/// What came back on the redirect URI: a code, or an error such as `access_denied`.
public struct AuthorizationResponse: Sendable, Equatable {
    public var code: String?
    public var state: String?
    public var error: String?
    public var errorDescription: String?

    public init(code: String? = nil, state: String? = nil, error: String? = nil, errorDescription: String? = nil) {
        self.code = code
        self.state = state
        self.error = error
        self.errorDescription = errorDescription
    }

    /// Reads the query of the address the browser landed on (pasted by the user).
    public static func parse(pastedURL: String) -> AuthorizationResponse? {
        let trimmed = pastedURL.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let components = URLComponents(string: trimmed), let items = components.queryItems else { return nil }
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value.flatMap { $0.isEmpty ? nil : $0 } }
        let response = AuthorizationResponse(
            code: value("code"),
            state: value("state"),
            error: value("error"),
            errorDescription: value("error_description")
        )
        return response.code == nil && response.error == nil ? nil : response
    }
}
