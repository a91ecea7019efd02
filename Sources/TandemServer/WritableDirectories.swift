import Foundation
import TandemServing

/// The directories Tandem writes to, and nothing else: a read-only image (serverless, hardened Kubernetes,
/// `podman run --read-only`) serves as long as these are writable. Printed at start-up.
enum WritableDirectories {
    /// Each directory with the setting that names it.
    static func list(_ settings: ServerSettings) -> [(path: String, setting: String, unwritable: String)] {
        var directories: [(String, String, String)] = []
        // Only archives are extracted: a multi-model endpoint whose models SageMaker has already unpacked
        // writes nothing, but a POST /models of an archive or a TargetModel load does.
        if settings.multiModel.hostsModels {
            directories.append((settings.multiModel.extractDirectory, "TANDEM_MME_EXTRACT_DIR", "loads of archives will fail"))
            // Models whose own endpoint.yaml asks for data capture write it here.
            if let capture = settings.multiModel.captureDirectory {
                directories.append((capture, DataCaptureConfig.destinationVariable, "capture records will be dropped"))
            }
        }
        return directories
    }

    /// The start-up line, after checking that each directory can be created and written.
    static func announce(_ settings: ServerSettings) -> String {
        let directories = list(settings)
        guard !directories.isEmpty else { return "tandem writes to no directory (the image may be read-only)\n" }
        let described = directories.map { directory in
            let fm = FileManager.default
            let usable = (try? fm.createDirectory(atPath: directory.path, withIntermediateDirectories: true)) != nil
                && fm.isWritableFile(atPath: directory.path)
            return "\(directory.path) (\(directory.setting))" + (usable ? "" : " [NOT WRITABLE: \(directory.unwritable)]")
        }
        return "tandem writes only to: " + described.joined(separator: ", ") + "\n"
    }
}
