import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Renders typed page view models with the embedded mustache templates.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary

    /// Loads every embedded template; fails at start-up when one does not parse.
    public init() throws {
        var library = MustacheLibrary()
        for (name, text) in EmbeddedAssets.templates.sorted(by: { $0.key < $1.key }) {
            try library.register(text, named: name)
        }
        self.library = library
    }

    /// The names of all templates, for tests.
    public static var templateNames: [String] { EmbeddedAssets.templates.keys.sorted() }
    /// The raw template text, for the test that forbids unescaped output.
    public static func templateSource(_ name: String) -> String? { EmbeddedAssets.templates[name] }

    /// Renders a page template with its view model into an HTML response.
    func render(_ template: String, _ model: some Sendable, status: HTTPResponse.Status = .ok) -> Response {
        guard let html = self.library.render(model, withTemplate: template) else {
            preconditionFailure("template \(template) is not embedded")
        }
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }
}
