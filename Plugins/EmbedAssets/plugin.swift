import Foundation
import PackagePlugin

/// Build-tool plugin that compiles every file under the package's `Templates/` and `Public/`
/// folders into one generated Swift source, so the `loonjournaal` binary runs from any directory.
@main
struct EmbedAssets: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let folders = ["Templates", "Public"].map { root.appending(path: $0) }
        var inputs: [URL] = []
        for folder in folders {
            guard
                let enumerator = FileManager.default.enumerator(
                    at: folder,
                    includingPropertiesForKeys: [.isRegularFileKey],
                    options: [.skipsHiddenFiles]
                )
            else { continue }
            for case let url as URL in enumerator {
                let values = try url.resourceValues(forKeys: [.isRegularFileKey])
                if values.isRegularFile == true { inputs.append(url) }
            }
        }
        inputs.sort { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "GeneratedAssets.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) template and public files",
                executable: try context.tool(named: "AssetEmbedder").url,
                arguments: [root.path, output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
