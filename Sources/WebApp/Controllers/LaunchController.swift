import Foundation
import HTTPTypes
import Hummingbird

/// Exchanges the single-use launch token for a session cookie and a clean URL; `/health`.
struct LaunchController {
    let tokens: LaunchTokens
    let sessions: SessionStore
    let origin: ServerOrigin
    let renderer: PageRenderer

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(.launch, use: self.launch)
        router.post(.signOut, use: self.signOut)
        router.get(.signedOut, use: self.signedOut)
        router.get(.health, use: self.health)
        router.get(.favicon, use: self.favicon)
    }

    /// GET /favicon.ico — browsers ask for it on their own; the logo is the icon.
    @Sendable func favicon(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response.redirect(to: "/static/images/logo.svg", type: .permanent)
    }

    /// GET /launch?token=… → session cookie, 303 to the last page shown or `/` (the token never
    /// stays in the address bar).
    @Sendable func launch(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let token = request.uri.queryParameters.get("token"), self.tokens.redeem(token) else {
            throw AppError.forbidden(
                "Deze startlink is al gebruikt, verlopen of onjuist. Een startlink werkt één keer en kort. "
                    + "Start loonjournaal opnieuw voor een nieuwe link."
            )
        }
        let session = try self.sessions.create()
        // Back where the user was (after closing the browser and `loonjournaal open`), else the dashboard.
        var response = Response.redirect(to: self.sessions.lastPage ?? Route.dashboard.path, type: .normal)
        // Persistent for a working day: closing the browser does not end it; still HttpOnly,
        // SameSite=Strict, and named after the port (cookies are not isolated by port).
        response.setCookie(
            Cookie(
                name: self.origin.cookieName, value: session.id, maxAge: Int(self.sessions.lifetime), path: "/", secure: false, httpOnly: true,
                sameSite: .strict
            )
        )
        return response
    }

    /// POST /afmelden — ends this session here and in the database; the cookie is cleared.
    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let session = try context.requireSession()
        self.sessions.revoke(session.id)
        var response = Response.redirect(to: Route.signedOut.path, type: .normal)
        response.setCookie(Cookie(name: self.origin.cookieName, value: "", maxAge: 0, path: "/", secure: false, httpOnly: true, sameSite: .strict))
        return response
    }

    /// GET /afgemeld — public: says how to come back.
    @Sendable func signedOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        self.renderer.render("signed_out", SignInRequiredPage(layout: .plain(title: "Afgemeld")))
    }

    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
    }
}
