import HTTPTypes
import Hummingbird

/// Refuses requests whose `Host` is not one of our loopback names with our port (DNS
/// rebinding), and sends `localhost`/`[::1]` to the canonical `127.0.0.1` before any cookie is set.
struct HostCheckMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let origin: ServerOrigin

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let hostHeaders = request.headers[values: .hostHeader]
        // HTTP/1 maps Host to authority only when it is the first header; read both, and refuse
        // when they disagree or Host is repeated.
        var candidates = Set(hostHeaders.map { $0.lowercased() })
        if let authority = request.head.authority { candidates.insert(authority.lowercased()) }
        guard hostHeaders.count <= 1, candidates.count == 1, let host = candidates.first else {
            throw AppError.badRequest("Ongeldig verzoek: de Host-kop ontbreekt of komt meer dan eens voor.")
        }
        let policy = HostPolicy(port: self.origin.port)
        switch policy.decide(host) {
        case .canonical:
            return try await next(request, context)
        case .redirectToCanonical:
            guard request.method == .get || request.method == .head else {
                throw AppError.forbidden("Open loonjournaal via \(policy.canonicalOrigin).")
            }
            return Response.redirect(to: policy.canonicalOrigin + request.uri.description, type: .found)
        case .refuse:
            throw AppError.forbidden(
                "Dit adres wordt niet bediend. loonjournaal is alleen bereikbaar via \(policy.canonicalOrigin)."
            )
        }
    }
}

extension HTTPField.Name {
    static var hostHeader: Self { HTTPField.Name("Host")! }
    static var secFetchSite: Self { HTTPField.Name("Sec-Fetch-Site")! }
}
