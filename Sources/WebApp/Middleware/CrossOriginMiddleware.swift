import HTTPTypes
import Hummingbird

/// Refuses every state-changing request that does not come from our own pages: Fetch Metadata
/// must say `same-origin`, `Origin` (when sent) must be exactly ours. Runs before the session
/// check so that a foreign page learns nothing either way.
struct CrossOriginMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let origin: ServerOrigin

    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if !Self.isSafe(request.method) {
            let site = request.headers[.secFetchSite]?.lowercased()
            if let site, site != "same-origin" {
                throw AppError.forbidden("Verzoek geweigerd: het komt niet van een pagina van loonjournaal zelf.")
            }
            // Browsers send `Origin: null` for our own forms because of `Referrer-Policy: no-referrer`;
            // that is accepted only together with `Sec-Fetch-Site: same-origin`.
            if let origin = request.headers[.origin], origin != self.origin.url, !(origin == "null" && site == "same-origin") {
                throw AppError.forbidden("Verzoek geweigerd: het komt van een andere website (\(origin.prefix(80))).")
            }
        }
        return try await next(request, context)
    }
}

/// Parses the posted form once and checks its synchronizer token against the session's.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let fieldName = "_csrf"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !CrossOriginMiddleware.isSafe(request.method) else { return try await next(request, context) }
        var request = request
        var context = context
        let buffer: ByteBuffer
        let limit = context.maxBodySize(path: request.uri.path)
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw AppError.tooLarge(
                "Het verzonden bestand of formulier is te groot (maximaal \(limit / 1024 / 1024) MB). Er is niets opgeslagen."
            )
        }
        let bytes = Array(buffer.readableBytesView)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let form: FormData
        if contentType.hasPrefix("application/x-www-form-urlencoded") {
            form = FormData.urlEncoded(String(decoding: bytes, as: UTF8.self))
        } else if contentType.hasPrefix("multipart/form-data"),
            let boundary = MultipartParser.boundary(from: request.headers[.contentType] ?? "")
        {
            do {
                form = try MultipartParser.parse(bytes, boundary: boundary)
            } catch {
                throw AppError.badRequest("Het formulier kon niet worden gelezen (onvolledig verzonden?). Probeer het opnieuw.")
            }
        } else {
            throw AppError.forbidden("Verzoek geweigerd: geen formulier van loonjournaal.")
        }
        guard let session = context.session,
            SecureRandom.constantTimeEquals(form[Self.fieldName], session.csrfToken)
        else {
            throw AppError.forbidden(
                "Het formulier is verlopen of komt niet van loonjournaal (beveiligingscode ontbreekt of klopt niet). "
                    + "Laad de pagina opnieuw en probeer het nog eens."
            )
        }
        context.form = form
        return try await next(request, context)
    }
}
