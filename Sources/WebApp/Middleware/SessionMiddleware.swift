import HTTPTypes
import Hummingbird

/// Attaches the session named by our cookie. Every route except the launch link, `/health` and
/// static files needs one: a page asks the user to use the launch link (401); a form post
/// without a session is refused (403), as its CSRF token cannot be valid.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let sessions: SessionStore
    let origin: ServerOrigin

    static func isPublic(_ path: String) -> Bool {
        path == Route.launch.path || path == Route.health.path || path == Route.oauthCallback.path || path.hasPrefix("/static/") || path == Route.favicon.path
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let cookie = request.cookies[self.origin.cookieName], let session = self.sessions.session(for: cookie.value) {
            context.session = session
        }
        if context.session == nil && !Self.isPublic(request.uri.path) {
            if request.method == .get || request.method == .head {
                throw AppError.notSignedIn
            }
            throw AppError.forbidden(
                "Dit formulier is geweigerd: er is geen geldige sessie. Open loonjournaal opnieuw via de startlink in het terminalvenster."
            )
        }
        return try await next(request, context)
    }
}
