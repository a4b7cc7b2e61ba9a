/// Everything that can go wrong talking to Loket, each with a Dutch explanation for the page.
public enum LoketError: Error, Equatable, Sendable {
    /// The refresh token was refused: the user must connect again. Links and drafts are kept.
    case reconnectNeeded(String)
    /// There are no tokens (never connected, or disconnected).
    case notConnected
    /// The OAuth server refused a request (`invalid_grant`, `invalid_client`, …).
    case oauth(code: String, description: String?)
    /// 401 even after a fresh token.
    case unauthorized(endpoint: String)
    /// 403 with Loket's own message.
    case forbidden(endpoint: String, message: String?)
    case notFound(endpoint: String)
    case conflict(endpoint: String, message: String?)
    /// Loket refused the request as invalid (400) with its messages.
    case badRequest(endpoint: String, message: String?)
    case rateLimited(endpoint: String)
    case server(endpoint: String, status: Int)
    case timeout(endpoint: String)
    case unreachable(endpoint: String)
    /// The response was not the JSON we expect (names the endpoint and the field).
    case malformed(endpoint: String, detail: String)

    /// What an endpoint is about, in Dutch, for messages without addresses or status codes.
    static func readable(_ endpoint: String) -> String {
        let path = endpoint.lowercased()
        if path.contains("journalruns") { return "bij de journaalruns" }
        if path.contains("payrolladministrations") { return "bij de loonadministraties" }
        if path.contains("employers") { return "bij de werkgevers" }
        if path.contains("token") { return "bij het aanmelden" }
        return "bij dit onderdeel"
    }

    /// A Dutch text for the bookkeeper: what happened and what to do.
    public var explanation: String {
        switch self {
        case .reconnectNeeded(let reason):
            "De verbinding met Loket is verlopen of ingetrokken (\(reason)). Kies \u{2018}Opnieuw verbinden\u{2019} en meld u opnieuw aan bij Loket. "
                + "Uw koppelingen en concepten blijven bewaard."
        case .notConnected:
            "Er is (nog) geen verbinding met Loket. Kies \u{2018}Verbinden\u{2019} en meld u aan bij Loket."
        case .oauth(let code, let description):
            switch code {
            case "invalid_client":
                "Loket herkent de client-id of het clientgeheim niet (invalid_client). Controleer beide bij de verbinding."
            case "invalid_grant":
                "Loket heeft de aanmeldcode geweigerd (invalid_grant): de code is verlopen of al gebruikt. Probeer opnieuw te verbinden."
            default:
                "Loket weigerde de aanmelding (\(code)\(description.map { ": \($0)" } ?? "")). Probeer opnieuw te verbinden."
            }
        case .unauthorized(let endpoint):
            "Loket accepteert de aanmelding niet (401 bij \(endpoint)). Kies \u{2018}Opnieuw verbinden\u{2019}."
        case .forbidden(let endpoint, _):
            "Loket weigert de toegang (\(Self.readable(endpoint))). "
                + "Voor loonjournaalposten is een gewone Loket-gebruiker nodig (geen webservicegebruiker) met toegang tot deze werkgever "
                + "en de rechten Raadplegen journaaloutput en Exporteren journaalrun; bovendien moet product Journaliseren (940) voor de werkgever aan staan "
                + "en moet de Loket-koppeling (client) deze activiteit mogen uitvoeren. Vraag dit na bij de beheerder van de salarisadministratie of bij Loket."
        case .notFound(let endpoint):
            "Loket kent dit onderdeel niet (404 bij \(endpoint)). Misschien is het in Loket verwijderd; vernieuw de lijst."
        case .conflict(let endpoint, let message):
            "Loket staat dit nu niet toe (409 bij \(endpoint))\(message.map { ": \($0)" } ?? "")."
        case .badRequest(let endpoint, let message):
            "Loket weigerde het verzoek (400 bij \(endpoint))\(message.map { ": \($0)" } ?? "")."
        case .rateLimited(let endpoint):
            "Loket vraagt om het rustiger aan te doen (429 bij \(endpoint)) en bleef dat doen. Probeer het over een paar minuten opnieuw."
        case .server(let endpoint, let status):
            "Loket had een storing (\(status) bij \(endpoint)), ook na enkele nieuwe pogingen. Er is niets opgeslagen; probeer het later opnieuw."
        case .timeout(let endpoint):
            "Loket antwoordde niet op tijd (\(endpoint)), ook na enkele nieuwe pogingen. Er is niets opgeslagen; probeer het later opnieuw."
        case .unreachable(let endpoint):
            "Loket is niet bereikbaar (\(endpoint)). Controleer de internetverbinding en het adres van de omgeving."
        case .malformed(let endpoint, let detail):
            "Loket stuurde gegevens die loonjournaal niet kan lezen (\(endpoint): \(detail)). Er is niets opgeslagen."
        }
    }
}
