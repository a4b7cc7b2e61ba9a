import HTTPTypes
import Hummingbird

/// Failures that end a request with a Dutch error page. Messages are meant for the bookkeeper;
/// anything else thrown is shown as a generic 500 and only logged.
public enum AppError: Error, Equatable {
    /// No (valid) session cookie: the user must open the launch link.
    case notSignedIn
    /// The request does not come from our own pages (Host, Origin, Sec-Fetch-Site or CSRF token).
    case forbidden(String)
    case notFound(String)
    case badRequest(String)
    case tooLarge(String)
    /// The post does not match what is stored (a cut-off form, an old page); nothing was applied.
    case conflict(String)
    /// A form came after its session ended: nothing applied, the typing kept (see the message).
    case sessionEnded(String)

    var status: HTTPResponse.Status {
        switch self {
        case .notSignedIn: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .badRequest: .badRequest
        case .tooLarge: .contentTooLarge
        case .conflict: .conflict
        case .sessionEnded: .unauthorized
        }
    }

    var message: String {
        switch self {
        case .notSignedIn:
            "U bent niet aangemeld. Open loonjournaal opnieuw: loonjournaal open in een terminal, of Loonjournaal in het menu."
        case .forbidden(let text), .notFound(let text), .badRequest(let text), .tooLarge(let text), .conflict(let text), .sessionEnded(let text):
            text
        }
    }
}
