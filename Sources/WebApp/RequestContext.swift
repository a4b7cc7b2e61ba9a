import HTTPTypes
import Hummingbird

/// Per-request state: the browser session (when the session cookie is valid) and the posted
/// form, parsed once by the CSRF check.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var session: Session?
    public var form: FormData?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// Forms and uploads above this size are refused with 413.
    public var maxUploadSize: Int { 2 * 1024 * 1024 }

    /// The session of a protected route (the session middleware guarantees one).
    func requireSession() throws -> Session {
        guard let session else { throw AppError.notSignedIn }
        return session
    }

    /// The posted form (the CSRF middleware parsed it); empty for a GET.
    var postedForm: FormData { self.form ?? FormData() }
}
