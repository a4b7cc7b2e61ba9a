import Foundation

/// Where a Loket connection points: the OAuth server, the API and the registered client.
public struct LoketEnvironment: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case simulator, acceptance, production, custom

        public var label: String {
            switch self {
            case .simulator: "Ingebouwde simulator (demo)"
            case .acceptance: "Loket acceptatie (oauth.loket-acc.nl)"
            case .production: "Loket productie (oauth.loket.nl)"
            case .custom: "Eigen adressen"
            }
        }
    }

    public var kind: Kind
    /// e.g. `https://oauth.loket.nl`
    public var authURL: String
    /// e.g. `https://api.loket.nl`
    public var apiURL: String
    public var clientId: String
    /// The redirect URI registered at Loket when it is not our own loopback callback; the user
    /// then pastes the address the browser lands on.
    public var externalRedirectURI: String?

    public init(kind: Kind, authURL: String, apiURL: String, clientId: String, externalRedirectURI: String? = nil) {
        self.kind = kind
        self.authURL = Self.trimSlash(authURL)
        self.apiURL = Self.trimSlash(apiURL)
        self.clientId = clientId
        self.externalRedirectURI = externalRedirectURI
    }

    /// The fixed addresses of Loket's environments and of a simulator at `simulatorURL`.
    public static func preset(_ kind: Kind, simulatorURL: String) -> (authURL: String, apiURL: String) {
        switch kind {
        case .production: ("https://oauth.loket.nl", "https://api.loket.nl")
        case .acceptance: ("https://oauth.loket-acc.nl", "https://api.loket-acc.nl")
        case .simulator, .custom: (simulatorURL, simulatorURL)
        }
    }

    public static func trimSlash(_ url: String) -> String {
        var value = url.trimmingCharacters(in: .whitespacesAndNewlines)
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }

    /// Checks that both addresses are absolute http(s) URLs; plain http only for loopback.
    public static func validateBaseURL(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty, components.query == nil, components.fragment == nil
        else { return false }
        if scheme == "https" { return true }
        return scheme == "http" && ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased())
    }
}
