import ArgumentParser
import Foundation
import Logging
import TandemServer
import TandemServing

/// `tandem serve`: what SageMaker runs (`docker run IMAGE serve`).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve /ping and /invocations (the default command).",
        discussion: """
            Also read from the environment (docs/reliability.md lists every limit): SAGEMAKER_MAX_PAYLOAD_IN_MB \
            (default 25), SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT (default application/json), \
            SAGEMAKER_MAX_CONCURRENT_TRANSFORMS (default: the workers), SAGEMAKER_BATCH_STRATEGY (default MultiRecord), \
            TANDEM_WORKER_NICE (default 10), TANDEM_ACCESS_LOG (off, text or json; default off), \
            TANDEM_ACCESS_LOG_BUFFER (default 10000 entries), TANDEM_LOG_FORMAT (text or json; default text).
            """)

    @OptionGroup var models: ModelOptions

    @Option(help: "Address to listen on (default: 0.0.0.0).")
    var host: String?

    @Option(help: "Port to listen on (default 8080 or $SAGEMAKER_BIND_TO_PORT; 0 picks a free port).")
    var port: Int?

    @Option(help: "Inference worker threads (default: $SAGEMAKER_MODEL_SERVER_WORKERS, else the number of cores).")
    var workers: Int?

    @Option(help: "Event-loop threads that accept connections and parse HTTP (default: 2, or a quarter of the cores when there are more than 8).")
    var loops: Int?

    @Option(help: "Queued requests per variant before answering 503 (default: 512).")
    var queueSize: Int?

    @Option(help: "Request deadline in seconds (default: $SAGEMAKER_MODEL_SERVER_TIMEOUT, else 60).")
    var timeout: Double?

    @Option(help: "Seconds in-flight requests get to finish after SIGTERM (default: 25).")
    var grace: Double?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default: $TANDEM_LOG_LEVEL, else warning).")
    var logLevel: String?

    func validate() throws {
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        if let loops, loops < 1 { throw ValidationError("--loops must be at least 1") }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        if let queueSize, queueSize < 1 { throw ValidationError("--queue-size must be at least 1") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive") }
        if let grace, grace < 0 { throw ValidationError("--grace must not be negative") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var settings = ServerSettings(modelSource: models.source(environment: environment))
        do {
            try settings.apply(environment: environment)
        } catch {
            throw ValidationError(error.message)
        }
        if let host { settings.host = host }
        if let port { settings.port = port }
        if let workers {
            settings.workers = workers
            if environment["SAGEMAKER_MAX_CONCURRENT_TRANSFORMS"]?.isEmpty ?? true {
                settings.maxConcurrentTransforms = workers
            }
        }
        if let loops { settings.loops = loops }
        if let queueSize { settings.queueBound = queueSize }
        if let timeout { settings.timeout = .milliseconds(Int64(timeout * 1000)) }
        if let grace { settings.gracePeriod = .milliseconds(Int64(grace * 1000)) }
        if let logLevel { settings.logLevel = logLevel }
        guard let level = Logger.Level(rawValue: settings.logLevel) else {
            throw ValidationError("unknown log level '\(settings.logLevel)'")
        }
        let format = settings.observability.logFormat
        LoggingSystem.bootstrap { label in
            if format == .json {
                var handler = JSONLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "tandem")
        logger.logLevel = level
        let app = TandemApp(settings: settings, environment: environment, loader: .standard, logger: logger)
        let code = await app.run()
        if code != 0 { throw ExitCode(code) }
    }
}
