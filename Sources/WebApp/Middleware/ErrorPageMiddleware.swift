import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into a Dutch error page. Expected errors show their message; anything
/// else shows a generic text and is only logged (with the request id), never shown.
struct ErrorPageMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let renderer: PageRenderer
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AppError {
            if error == .notSignedIn {
                return self.renderer.render("signin_required", SignInRequiredPage(layout: .plain(title: "Aanmelden")), status: .unauthorized)
            }
            return self.page(status: error.status, message: error.message, context: context)
        } catch let error as any HTTPResponseError {
            let message: String =
                switch error.status {
                case .notFound: "Deze pagina bestaat niet (meer). Ga terug naar het overzicht."
                case .contentTooLarge: "Het verzonden bestand of formulier is te groot (maximaal 2 MB). Er is niets opgeslagen."
                case .methodNotAllowed: "Deze actie kan niet via dit adres worden uitgevoerd."
                case .badRequest: "Ongeldig verzoek: een onderdeel van het adres of formulier klopt niet."
                default: "Dit verzoek kon niet worden uitgevoerd."
                }
            return self.page(status: error.status, message: message, context: context)
        } catch {
            self.logger.error(
                "unexpected error",
                metadata: ["request": "\(context.id)", "path": "\(request.uri.path)", "error": "\(String(reflecting: error))"]
            )
            return self.page(
                status: .internalServerError,
                message: "Er ging iets mis in loonjournaal. Er is niets half opgeslagen; probeer het opnieuw. "
                    + "Blijft dit gebeuren, noem dan code \(context.id) aan de ondersteuning.",
                context: context
            )
        }
    }

    private func page(status: HTTPResponse.Status, message: String, context: Context) -> Response {
        let model = ErrorPage(
            layout: context.session == nil ? .plain(title: "Fout \(status.code)") : .signedIn(title: "Fout \(status.code)", context: context),
            status: status.code,
            message: message
        )
        return self.renderer.render("error", model, status: status)
    }
}
