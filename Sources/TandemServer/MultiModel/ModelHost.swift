import Dispatch
import Foundation
import Logging
import Synchronization
import TandemArchive
import TandemServing

/// The models a multi-model endpoint holds, by key, under a memory budget.
///
/// - Loads run one at a time on a background queue (never on an event loop); requests for a model that is
///   loading wait on the same `LoadTicket`, so a model loads once however many ask for it.
/// - A model is charged its artifacts' size on disk against the budget (ONNX weights dominate a loaded model's
///   memory). To fit a new model, the least recently used models with no request in flight are unloaded; a
///   model with requests in flight is never unloaded to make room. A model that cannot fit even alone, or
///   only by taking busy models, is refused with 507, as SageMaker expects.
/// - `unload` removes the model at once (new requests get 404), waits for its requests in flight, then frees
///   its lanes, metrics and extracted files before it reports.
public final class ModelHost: Sendable {
    public let settings: MultiModelSettings
    /// The memory budget in bytes.
    public let budget: Int
    let metrics: MultiModelMetrics
    private let registry: MetricsRegistry
    private let environment: [String: String]
    private let loader: ModelLoader
    private let builder: EndpointBuilder
    private let negotiation: ContentNegotiation
    private let logger: Logger
    private let table = SanitizerVisibleLock(Table())
    private let serial = Atomic<Int>(0)
    private let loadQueue = DispatchQueue(label: "tandem.mme-load")
    private let unloadQueue = DispatchQueue(label: "tandem.mme-unload", attributes: .concurrent)

    private enum Slot {
        case loading(LoadTicket)
        case loaded(HostedModel)
    }

    private struct Table {
        var slots: [String: Slot] = [:]
        /// Bytes of loaded models plus those reserved by the load in progress.
        var usedBytes = 0
        var loadedCount = 0
        var tick: UInt64 = 0
    }

    init(
        settings: MultiModelSettings, environment: [String: String], loader: ModelLoader, builder: EndpointBuilder,
        negotiation: ContentNegotiation, logger: Logger
    ) {
        self.settings = settings
        self.budget = settings.budget()
        self.registry = builder.metrics
        self.metrics = MultiModelMetrics(registry: builder.metrics, budget: budget)
        self.environment = environment
        self.loader = loader
        self.builder = builder
        self.negotiation = negotiation
        self.logger = logger
    }

    // MARK: - Loading

    /// Loads `url` (a model directory, or a `.tar.gz`/`.tar` extracted first) under `name`; `completion` gets
    /// the outcome on the loader's queue. 409 at once when `name` is loaded or loading.
    public func load(name: String, url: String, completion: @escaping @Sendable (Result<HostedModel, ModelLoadError>) -> Void) {
        let ticket = LoadTicket()
        let inserted = table.withLock { t -> Bool in
            guard t.slots[name] == nil else { return false }
            t.slots[name] = .loading(ticket)
            return true
        }
        guard inserted else {
            completion(.failure(.alreadyLoaded("model '\(name)' is already loaded (DELETE /models/\(name) first)")))
            return
        }
        ticket.wait(completion)
        loadQueue.async { [self] in performLoad(name: name, url: url, ticket: ticket) }
    }

    /// The model `name` for one request, counted in flight until `release`; nil when it is not loaded.
    public func acquire(_ name: String) -> HostedModel? {
        table.withLock { t -> HostedModel? in
            guard case .loaded(let model) = t.slots[name] else { return nil }
            t.tick += 1
            model.lastUsed.store(t.tick, ordering: .relaxed)
            model.inFlight.add(1, ordering: .relaxed)
            return model
        }
    }

    /// Ends a request `acquire` began.
    public func release(_ model: HostedModel) {
        model.inFlight.subtract(1, ordering: .relaxed)
    }

    /// How a `TargetModel` request got its model.
    public struct Acquired: Sendable {
        public var model: HostedModel
        /// False when it had to be loaded (or waited for).
        public var cacheHit: Bool
    }

    /// The model for `key`, loading it from `url()` when it is not loaded (requests for a model that is
    /// loading share that load). `completion` runs now on a hit, else on the loader's queue; the model comes
    /// acquired. `url` is only called when a load starts.
    public func acquireLoading(
        _ key: String, url: () throws(ModelLoadError) -> String,
        completion: @escaping @Sendable (Result<Acquired, ModelLoadError>) -> Void
    ) {
        enum Found { case hit(HostedModel), wait(LoadTicket), start(LoadTicket) }
        let found = table.withLock { t -> Found in
            switch t.slots[key] {
            case .loaded(let model):
                t.tick += 1
                model.lastUsed.store(t.tick, ordering: .relaxed)
                model.inFlight.add(1, ordering: .relaxed)
                return .hit(model)
            case .loading(let ticket):
                return .wait(ticket)
            case nil:
                let ticket = LoadTicket()
                t.slots[key] = .loading(ticket)
                return .start(ticket)
            }
        }
        let ticket: LoadTicket
        switch found {
        case .hit(let model):
            metrics.cacheHits.increment()
            completion(.success(Acquired(model: model, cacheHit: true)))
            return
        case .wait(let waiting):
            ticket = waiting
        case .start(let started):
            ticket = started
            do {
                let path = try url()
                loadQueue.async { [self] in performLoad(name: key, url: path, ticket: ticket) }
            } catch {
                table.withLock { t in t.slots[key] = nil }
                ticket.finish(.failure(error))
            }
        }
        metrics.cacheMisses.increment()
        ticket.wait { [self] outcome in
            switch outcome {
            case .success(let model):
                // Normally the model just loaded; a newer load under the same key serves as well.
                guard let acquired = acquire(model.name) else {
                    completion(.failure(.insufficientMemory(
                        "model '\(key)' was unloaded again to make room before this request could use it; retry")))
                    return
                }
                completion(.success(Acquired(model: acquired, cacheHit: false)))
            case .failure(let error):
                completion(.failure(error))
            }
        }
    }

    private func performLoad(name: String, url: String, ticket: LoadTicket) {
        let started = ContinuousClock.now
        var extracted: String?
        var reserved = 0
        do throws(ModelLoadError) {
            let artifact = try artifactDirectory(url: url, name: name)
            let directory = artifact.directory
            extracted = artifact.extracted
            let bytes = Self.directoryBytes(directory)
            let evicted = try reserve(bytes, for: name)
            reserved = bytes
            for model in evicted { unloadEvicted(model, for: name) }
            let model = try build(name: name, url: url, directory: directory, bytes: bytes, extracted: extracted)
            table.withLock { t in
                // Loading counts as a use: of models never invoked, the one loaded first goes first.
                t.tick += 1
                model.lastUsed.store(t.tick, ordering: .relaxed)
                t.slots[name] = .loaded(model)
                t.loadedCount += 1
                updateGauges(t)
            }
            metrics.loadingTime.record(.now - started)
            logger.notice("model loaded", metadata: ["model": "\(name)", "bytes": "\(bytes)", "url": "\(url)"])
            ticket.finish(.success(model))
        } catch {
            table.withLock { t in
                t.slots[name] = nil
                t.usedBytes -= reserved
                updateGauges(t)
            }
            if let extracted { try? FileManager.default.removeItem(atPath: extracted) }
            metrics.loadFailed(Self.reason(error))
            logger.warning("model load refused", metadata: ["model": "\(name)", "url": "\(url)", "error": "\(error)"])
            ticket.finish(.failure(error))
        }
    }

    private static func reason(_ error: ModelLoadError) -> String {
        switch error {
        case .insufficientMemory: "insufficient_memory"
        case .notFound: "not_found"
        case .alreadyLoaded: "already_loaded"
        case .invalid(let message): message.hasPrefix("unsafe archive") ? "unsafe_archive" : "invalid_model"
        }
    }

    /// Reserves `bytes` of the budget, unloading least recently used idle models as needed (returned, already
    /// out of the table, for the caller to free). Throws 507 when it cannot fit.
    private func reserve(_ bytes: Int, for name: String) throws(ModelLoadError) -> [HostedModel] {
        guard bytes <= budget else {
            metrics.limitHit("mme_memory_budget")
            throw .insufficientMemory(
                "model '\(name)' needs \(bytes) bytes, more than the whole memory budget of \(budget) bytes "
                    + "(TANDEM_MME_MEMORY_BUDGET_BYTES / TANDEM_MME_MEMORY_BUDGET_PERCENT)")
        }
        let (evicted, refusal) = table.withLock { t -> ([HostedModel], ModelLoadError?) in
            var evicted: [HostedModel] = []
            while t.usedBytes + bytes > budget || t.loadedCount >= settings.maxModels {
                var victim: HostedModel?
                for case .loaded(let model) in t.slots.values where model.inFlight.load(ordering: .relaxed) == 0 {
                    if victim.map({ model.lastUsed.load(ordering: .relaxed) < $0.lastUsed.load(ordering: .relaxed) }) ?? true {
                        victim = model
                    }
                }
                guard let victim else {
                    // The models taken so far stay unloaded: they were idle and the least used.
                    updateGauges(t)
                    return (evicted, .insufficientMemory(
                        "model '\(name)' needs \(bytes) bytes; \(t.usedBytes) of the \(budget)-byte budget are held by "
                            + "\(t.loadedCount) models (or a load) with requests in flight, so none can be unloaded to make room"
                            + (t.loadedCount >= settings.maxModels ? " (TANDEM_MME_MAX_MODELS=\(settings.maxModels))" : "")))
                }
                remove(victim, from: &t)
                evicted.append(victim)
            }
            t.usedBytes += bytes
            updateGauges(t)
            return (evicted, nil)
        }
        if let refusal {
            for model in evicted { unloadEvicted(model, for: name) }
            metrics.limitHit("mme_memory_budget")
            throw refusal
        }
        return evicted
    }

    /// Frees a model `reserve` took out of the table, and counts it.
    private func unloadEvicted(_ model: HostedModel, for name: String) {
        let started = ContinuousClock.now
        free(model)
        metrics.evictions.increment()
        metrics.unloadingTime.record(.now - started)
        logger.notice("model unloaded to make room", metadata: ["model": "\(model.name)", "for": "\(name)"])
    }

    /// Takes a loaded model out of the table and its series out of `/metrics` (call with the table locked; the
    /// metrics go now so that a new model loaded under the same key starts with fresh series).
    private func remove(_ model: HostedModel, from t: inout Table) {
        t.slots[model.name] = nil
        t.usedBytes -= model.bytes
        t.loadedCount -= 1
        for key in model.metricKeys { registry.forget(key) }
    }

    /// Frees what a removed model holds: its lanes (queued jobs still finish) and its extracted files.
    private func free(_ model: HostedModel) {
        builder.pool.setLanes([], group: model.laneGroup)
        // Its requests are done (or the drain passed): what its capture holds is written before it goes.
        model.capture?.stop(deadline: .now + .seconds(10))
        if let directory = model.extractedDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }

    private func updateGauges(_ t: Table) {
        metrics.loadedCount.set(to: Double(t.loadedCount))
        metrics.loadedBytes.set(to: Double(t.usedBytes))
    }

    /// The directory to load: `url` itself, or a fresh directory an archive at `url` is extracted into.
    private func artifactDirectory(url: String, name: String) throws(ModelLoadError) -> (directory: String, extracted: String?) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: url, isDirectory: &isDirectory) else {
            throw .notFound("no model at \(url)")
        }
        if isDirectory.boolValue { return (Self.modelDirectory(in: url), nil) }
        let target = settings.extractDirectory + "/" + Self.directoryName(for: name) + "-\(serial.add(1, ordering: .relaxed).newValue)"
        do {
            _ = try ArchiveExtractor.extract(archive: url, into: target + "/model", limits: settings.archive)
        } catch {
            try? fm.removeItem(atPath: target)
            if error.reason.contains("TANDEM_ARCHIVE_MAX_BYTES") { metrics.limitHit("archive_max_bytes") }
            if error.reason.contains("TANDEM_ARCHIVE_MAX_FILES") { metrics.limitHit("archive_max_files") }
            throw .invalid("unsafe archive refused: \(url): \(error)")
        }
        return (Self.modelDirectory(in: target + "/model"), target)
    }

    /// `directory`, or its one subdirectory when it holds no model of its own (an archive made with the model in
    /// a folder, like Triton's `<model>/<customer dir>` layout).
    static func modelDirectory(in directory: String) -> String {
        let fm = FileManager.default
        let entries = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }
        if entries.contains(where: { ["model.onnx", "synthetic.yaml", "endpoint.yaml"].contains($0) }) { return directory }
        var isDirectory: ObjCBool = false
        if entries.count == 1, fm.fileExists(atPath: directory + "/" + entries[0], isDirectory: &isDirectory), isDirectory.boolValue {
            return directory + "/" + entries[0]
        }
        return directory
    }

    /// A file-system-safe rendering of an opaque key.
    static func directoryName(for key: String) -> String {
        let safe = key.unicodeScalars.map { scalar -> Character in
            let c = Character(scalar)
            return c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".") ? c : "_"
        }
        let name = String(safe.prefix(64)).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return name.isEmpty ? "model" : name
    }

    /// The bytes of the regular files under `directory` (links not followed).
    static func directoryBytes(_ directory: String) -> Int {
        let fm = FileManager.default
        var total = 0
        guard let walker = fm.enumerator(atPath: directory) else { return 0 }
        while let entry = walker.nextObject() as? String {
            if let attributes = try? fm.attributesOfItem(atPath: directory + "/" + entry),
                attributes[.type] as? FileAttributeType == .typeRegular
            {
                total += (attributes[.size] as? NSNumber)?.intValue ?? 0
            }
        }
        return total
    }

    /// Reads the model's config, loads every version it names (any that fails refuses the load) and builds its
    /// endpoint on lanes of its own.
    private func build(name: String, url: String, directory: String, bytes: Int, extracted: String?) throws(ModelLoadError) -> HostedModel {
        do throws(ConfigError) {
            var config = try ModelSource.modelDirectory(directory).endpointConfig(environment: environment)
            // The model's series are labelled with its key, the one name the caller knows it by.
            config.endpointName = name
            let models = try ModelRepository.load(for: config, loader: loader)
            for model in models.values {
                for version in model.loaded {
                    if case .failure(let error) = version.model { throw error }
                }
            }
            var builder = self.builder
            builder.laneGroup = "mme-\(serial.add(1, ordering: .relaxed).newValue)"
            let capture = try Self.capture(for: config, extracted: extracted, registry: registry, logger: logger)
            let state: EndpointState
            do {
                state = try builder.build(config: config, models: models, previous: nil)
            } catch {
                capture?.stop(deadline: .now + .seconds(1))
                throw error
            }
            let endpoint = Endpoint()
            endpoint.install(state)
            let service = InvocationService(
                endpoint: endpoint, pool: builder.pool, negotiation: negotiation, sink: capture, logger: logger)
            return HostedModel(
                name: name, url: url, bytes: bytes, endpoint: endpoint, service: service, laneGroup: builder.laneGroup,
                metricKeys: state.allVariants.map(\.metrics.key), extractedDirectory: extracted, capture: capture)
        } catch {
            throw .invalid("model '\(name)' at \(url) cannot be served: \(error.message)")
        }
    }

    /// The data capture of a model whose own endpoint config has a `data_capture` section: records go to
    /// `<destination>/<model key>/<variant>/...`, written by a writer of the model's own, stopped (what it
    /// holds written) when the model is unloaded. A destination inside a directory Tandem extracted is
    /// refused: that directory is removed on unload, and the records with it.
    private static func capture(
        for config: EndpointConfig, extracted: String?, registry: MetricsRegistry, logger: Logger
    ) throws(ConfigError) -> DataCapture? {
        guard let section = config.dataCapture, section.enabled else { return nil }
        if let extracted, section.destination == extracted || section.destination.hasPrefix(extracted + "/") {
            throw ConfigError(
                "data_capture.destination \(section.destination) is inside the directory the archive was extracted into, "
                    + "which is removed on unload: use an absolute destination or set \(DataCaptureConfig.destinationVariable)")
        }
        let capture = DataCapture(metrics: registry, logger: logger)
        capture.configure(config)
        return capture
    }

    // MARK: - Listing and unloading

    /// Loaded models' keys and URLs, sorted by key.
    public func list() -> [(name: String, url: String)] {
        table.withLock { t in
            t.slots.compactMap { _, slot -> (name: String, url: String)? in
                guard case .loaded(let model) = slot else { return nil }
                return (model.name, model.url)
            }
        }.sorted { $0.name < $1.name }
    }

    /// The loaded model `name`, without counting a request.
    public func model(_ name: String) -> HostedModel? {
        table.withLock { t in
            guard case .loaded(let model) = t.slots[name] else { return nil }
            return model
        }
    }

    /// The worker pool every model's lanes are in.
    var pool: WorkerPool { builder.pool }

    /// Models loaded now.
    public var loadedCount: Int { table.withLock { $0.loadedCount } }

    /// Unloads `name`: new requests get 404 at once; `completion(true)` once its requests in flight have
    /// finished (or `unloadDrain` passed) and its resources are freed; `completion(false)` when it is not loaded.
    public func unload(_ name: String, completion: @escaping @Sendable (Bool) -> Void) {
        let removed = table.withLock { t -> HostedModel? in
            guard case .loaded(let model) = t.slots[name] else { return nil }
            remove(model, from: &t)
            updateGauges(t)
            return model
        }
        guard let removed else {
            completion(false)
            return
        }
        let started = ContinuousClock.now
        let drain = settings.unloadDrain
        unloadQueue.async { [self] in
            // Polled on a background thread, never a loop: requests finish in milliseconds.
            let deadline = started + drain
            while removed.inFlight.load(ordering: .relaxed) > 0 && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.002)
            }
            free(removed)
            metrics.unloadingTime.record(.now - started)
            logger.notice("model unloaded", metadata: ["model": "\(name)"])
            completion(true)
        }
    }
}
