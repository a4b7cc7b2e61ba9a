import HTTPTypes
import Hummingbird

/// Serves `Public/` from the binary under `/static/`, with content type, ETag and caching.
struct StaticAssetMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/static/"), request.method == .get || request.method == .head else {
            return try await next(request, context)
        }
        guard let file = EmbeddedAssets.publicFile(String(path.dropFirst("/static/".count))) else {
            throw AppError.notFound("Dit bestand bestaat niet.")
        }
        var headers: HTTPFields = [
            .contentType: file.contentType,
            .eTag: file.etag,
            .cacheControl: "public, max-age=3600",
        ]
        if request.headers[.ifNoneMatch] == file.etag {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(file.bytes.count)
        let body: ResponseBody = request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(bytes: file.bytes))
        return Response(status: .ok, headers: headers, body: body)
    }
}
