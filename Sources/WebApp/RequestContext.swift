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

    /// The draft editor posts every line of its entry (up to `JournalLimits.maxLinesPerEntry`,
    /// each with a description of up to 200 characters): its form may be larger.
    public static let maxEntryFormSize = 16 * 1024 * 1024

    /// The body limit of one request: the entry form's for `POST /administraties/N/boekingen/N`,
    /// `maxUploadSize` for everything else.
    func maxBodySize(path: String) -> Int {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let isEntryForm = parts.count == 5 && parts[0].isEmpty && parts[1] == "administraties" && parts[3] == "boekingen"
            && Int64(parts[2]) != nil && Int64(parts[4]) != nil
        let isAttachment = parts.count == 6 && parts[0].isEmpty && parts[1] == "administraties" && parts[3] == "boekingen" && parts[5] == "bijlagen"
        if isAttachment { return Self.maxAttachmentFormSize }
        return isEntryForm ? Self.maxEntryFormSize : self.maxUploadSize
    }

    /// An attachment's upload form: the file (at most 10 MB) and a little room for the form around it.
    public static let maxAttachmentFormSize = 10 * 1024 * 1024 + 64 * 1024

    /// The session of a protected route (the session middleware guarantees one).
    func requireSession() throws -> Session {
        guard let session else { throw AppError.notSignedIn }
        return session
    }

    /// The posted form (the CSRF middleware parsed it); empty for a GET.
    var postedForm: FormData { self.form ?? FormData() }
}
