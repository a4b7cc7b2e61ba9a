import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// Attaches the session named by our cookie. Every route except the launch link, `/health`, the
/// signed-out page and static files needs one: a page asks the user to sign in again (401); a
/// form post without a session is refused (403), as its CSRF token cannot be valid — but a draft
/// posted after its session ended is kept first, to be offered again after signing in.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let sessions: SessionStore
    let origin: ServerOrigin
    let database: AppDatabase
    let now: @Sendable () -> Date

    static func isPublic(_ path: String) -> Bool {
        path == Route.launch.path || path == Route.health.path || path == Route.oauthCallback.path || path.hasPrefix("/static/")
            || path == Route.favicon.path || path == Route.signedOut.path
    }

    /// `/administraties/N/boekingen/N`: the draft editor's form.
    static func isEntryForm(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 5 && parts[0].isEmpty && parts[1] == "administraties" && parts[3] == "boekingen" && Int64(parts[2]) != nil && Int64(parts[4]) != nil
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
            // The draft editor's typing is not lost: kept (the cross-origin check has passed, so
            // it comes from our own page), offered again on the entry after signing in.
            if request.method == .post, Self.isEntryForm(request.uri.path), request.headers[.secFetchSite]?.lowercased() == "same-origin",
                request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
            {
                var request = request
                if let buffer = try? await request.collectBody(upTo: AppRequestContext.maxEntryFormSize),
                    let body = String(validating: buffer.readableBytesView, as: UTF8.self),
                    (try? self.database.rescueForm(path: request.uri.path, body: body, at: self.now())) != nil
                {
                    throw AppError.sessionEnded(
                        "Uw sessie is beëindigd (afgemeld, verlopen of loonjournaal opnieuw gestart zonder uw sessie), dus er is niets opgeslagen. "
                            + "Wat u typte is bewaard: open loonjournaal opnieuw (loonjournaal open, of Loonjournaal in het menu) en open deze "
                            + "boeking; daar staat \u{2018}Bewaarde invoer terugzetten\u{2019}."
                    )
                }
            }
            throw AppError.forbidden(
                "Dit formulier is geweigerd: er is geen geldige sessie. Open loonjournaal opnieuw: loonjournaal open in een terminal, of Loonjournaal in het menu."
            )
        }
        let response = try await next(request, context)
        if context.session != nil, request.method == .get, response.status == .ok,
            response.headers[.contentType]?.hasPrefix("text/html") == true, !Self.isPublic(request.uri.path)
        {
            // Never remember a query that carries a one-time value (a Loket hand-off ticket, a code).
            let query = request.uri.query.flatMap { query in
                ["ticket=", "token=", "code=", "state="].contains(where: query.contains) ? nil : "?" + query
            }
            self.sessions.pageShown(request.uri.path + (query ?? ""))
        }
        return response
    }
}
