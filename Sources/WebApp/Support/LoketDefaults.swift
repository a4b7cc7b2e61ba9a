import Foundation

/// Where the connect form's presets point and what the environment pre-fills.
public struct LoketDefaults: Sendable {
    /// The built-in simulator (`loonjournaal sandbox` / `demo`).
    public var simulatorURL: String
    public var simulatorClientId = "loonjournaal-demo"
    public var simulatorClientSecret = "demo-secret"
    /// From `LOKET_AUTH_URL`, `LOKET_API_URL`, `LOKET_CLIENT_ID`, `LOKET_CLIENT_SECRET`, `LOKET_REDIRECT_URI`.
    public var authURL: String?
    public var apiURL: String?
    public var clientId: String?
    public var clientSecret: String?
    public var redirectURI: String?

    public init(simulatorURL: String = "http://127.0.0.1:8421", environment: [String: String] = [:]) {
        self.simulatorURL = simulatorURL
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        self.authURL = value("LOKET_AUTH_URL")
        self.apiURL = value("LOKET_API_URL")
        self.clientId = value("LOKET_CLIENT_ID")
        self.clientSecret = value("LOKET_CLIENT_SECRET")
        self.redirectURI = value("LOKET_REDIRECT_URI")
    }
}
