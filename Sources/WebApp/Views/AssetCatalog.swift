import Foundation

/// One file compiled into the binary from `Templates/` or `Public/`.
struct EmbeddedFile: Sendable {
    let bytes: [UInt8]
    let contentType: String
    /// Strong validator derived from the content.
    let etag: String
}

/// The files of `Templates/` and `Public/`, decoded once from the generated source.
enum EmbeddedAssets {
    /// Keyed by path relative to the package root, e.g. `Public/css/app.css`.
    static let files: [String: EmbeddedFile] = {
        var files: [String: EmbeddedFile] = [:]
        for (path, base64) in embeddedAssetsBase64 {
            guard let data = Data(base64Encoded: base64) else { continue }
            let bytes = [UInt8](data)
            files[path] = EmbeddedFile(bytes: bytes, contentType: contentType(for: path), etag: "\"\(fnv1a(bytes))\"")
        }
        return files
    }()

    /// Templates by name without folder and extension (`Templates/layout/header.mustache` → `layout/header`).
    static var templates: [String: String] {
        var result: [String: String] = [:]
        for (path, file) in self.files where path.hasPrefix("Templates/") && path.hasSuffix(".mustache") {
            let name = String(path.dropFirst("Templates/".count).dropLast(".mustache".count))
            result[name] = String(decoding: file.bytes, as: UTF8.self)
        }
        return result
    }

    /// A public file by URL path below `/static/`.
    static func publicFile(_ relativePath: String) -> EmbeddedFile? {
        guard !relativePath.contains(".."), !relativePath.hasPrefix("/") else { return nil }
        return self.files["Public/\(relativePath)"]
    }

    static func contentType(for path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "woff2": "font/woff2"
        case "json": "application/json"
        case "mustache", "html": "text/html; charset=utf-8"
        case "txt": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }

    static func fnv1a(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
