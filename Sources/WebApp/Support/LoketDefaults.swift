import Foundation

/// Where the connect form's presets point and what the environment pre-fills.
public struct LoketDefaults: Sendable {
    /// The built-in simulator (`loonjournaal sandbox` / `demo`).
    public var simulatorURL: String
    /// Whether this process runs the simulator itself (`demo`); under `serve` it may not run at all.
    public var simulatorIsOurs: Bool
    public var simulatorClientId = "loonjournaal-demo"
    public var simulatorClientSecret = "demo-secret"
    /// From `LOKET_AUTH_URL`, `LOKET_API_URL`, `LOKET_CLIENT_ID`, `LOKET_CLIENT_SECRET`, `LOKET_REDIRECT_URI`.
    public var authURL: String?
    public var apiURL: String?
    public var clientId: String?
    public var clientSecret: String?
    public var redirectURI: String?

    public init(simulatorURL: String = "http://127.0.0.1:8421", simulatorIsOurs: Bool = false, environment: [String: String] = [:]) {
        self.simulatorURL = simulatorURL
        self.simulatorIsOurs = simulatorIsOurs
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        self.authURL = value("LOKET_AUTH_URL")
        self.apiURL = value("LOKET_API_URL")
        self.clientId = value("LOKET_CLIENT_ID")
        self.clientSecret = value("LOKET_CLIENT_SECRET")
        self.redirectURI = value("LOKET_REDIRECT_URI")
    }

    /// The connect page's line about the simulator: where this demo's runs, or how to start one.
    public var simulatorHint: String {
        self.simulatorIsOurs
            ? "De simulator van deze demo draait op \(self.simulatorURL); u hoeft daarvoor geen client-id in te vullen."
            : "Voor de simulator: start hem apart met \u{201C}loonjournaal sandbox\u{201D} (hij luistert dan op \(self.simulatorURL)); u hoeft daarvoor geen client-id in te vullen."
    }
}
