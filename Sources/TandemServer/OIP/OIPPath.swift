import Foundation
import TandemHTTP

/// What an Open Inference Protocol path (`/v2...`) asks for, and the methods it allows.
enum OIPPath: Equatable {
    /// What is asked of one model (version).
    enum ModelAction: String, Equatable {
        case metadata = ""
        case ready
        case config
        case stats
        case infer
    }

    /// Repository-extension operations on one model.
    enum RepositoryAction: String, Equatable {
        case load
        case unload
    }

    case serverMetadata
    case live
    case ready
    /// `GET /v2/models/stats`: every model's statistics.
    case allStats
    case model(name: String, version: String?, action: ModelAction)
    case repositoryIndex
    case repository(name: String, action: RepositoryAction)
    case unknown

    static let prefix = "/v2"

    /// Whether `path` is an OIP path at all.
    static func matches(_ path: String) -> Bool {
        path == prefix || path.hasPrefix(prefix + "/")
    }

    init(path: String) {
        guard Self.matches(path) else {
            self = .unknown
            return
        }
        var parts = path.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "" { parts.removeFirst() }
        if parts.last == "" && !parts.isEmpty { parts.removeLast() }  // a trailing slash
        let decoded = parts.map { $0.removingPercentEncoding ?? $0 }
        switch decoded.count {
        case 0:
            self = .serverMetadata
            return
        case 2 where decoded[0] == "health" && decoded[1] == "live":
            self = .live
            return
        case 2 where decoded[0] == "health" && decoded[1] == "ready":
            self = .ready
            return
        case 2 where decoded[0] == "models" && decoded[1] == "stats":
            self = .allStats
            return
        case 2 where decoded[0] == "repository" && decoded[1] == "index":
            self = .repositoryIndex
            return
        case 4 where decoded[0] == "repository" && decoded[1] == "models" && !decoded[2].isEmpty:
            if let action = RepositoryAction(rawValue: decoded[3]) {
                self = .repository(name: decoded[2], action: action)
                return
            }
        default:
            break
        }
        guard decoded.count >= 2, decoded[0] == "models", !decoded[1].isEmpty else {
            self = .unknown
            return
        }
        let name = decoded[1]
        var rest = Array(decoded.dropFirst(2))
        var version: String?
        if rest.count >= 2, rest[0] == "versions" {
            guard !rest[1].isEmpty else {
                self = .unknown
                return
            }
            version = rest[1]
            rest.removeFirst(2)
        }
        switch rest.count {
        case 0: self = .model(name: name, version: version, action: .metadata)
        case 1:
            if let action = ModelAction(rawValue: rest[0]), action != .metadata {
                self = .model(name: name, version: version, action: action)
            } else {
                self = .unknown
            }
        default: self = .unknown
        }
    }

    /// The methods the path allows.
    var methods: [HTTPMethod] {
        switch self {
        case .model(_, _, .infer), .repositoryIndex, .repository: [.post]
        case .unknown: []
        default: [.get, .head]
        }
    }
}
