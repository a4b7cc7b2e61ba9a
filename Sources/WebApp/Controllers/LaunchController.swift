import Foundation
import HTTPTypes
import Hummingbird

/// Exchanges the single-use launch token for a session cookie and a clean URL; `/health`.
struct LaunchController {
    let tokens: LaunchTokens
    let sessions: SessionStore
    let origin: ServerOrigin

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.launch, use: self.launch)
        router.get(.health, use: self.health)
        router.get(.favicon, use: self.favicon)
    }

    /// GET /favicon.ico — browsers ask for it on their own; the logo is the icon.
    @Sendable func favicon(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response.redirect(to: "/static/images/logo.svg", type: .permanent)
    }

    /// GET /launch?token=… → session cookie, 303 to `/` (the token never stays in the address bar).
    @Sendable func launch(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let token = request.uri.queryParameters.get("token"), self.tokens.redeem(token) else {
            throw AppError.forbidden(
                "Deze startlink is al gebruikt, verlopen of onjuist. Een startlink werkt één keer en kort. "
                    + "Start loonjournaal opnieuw voor een nieuwe link."
            )
        }
        let session = self.sessions.create()
        var response = Response.redirect(to: Route.dashboard.path, type: .normal)
        response.setCookie(
            Cookie(name: self.origin.cookieName, value: session.id, path: "/", secure: false, httpOnly: true, sameSite: .strict)
        )
        return response
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
    }
}
