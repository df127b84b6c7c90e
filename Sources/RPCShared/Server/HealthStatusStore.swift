import Synchronization

/// The serving status of each service on a server ("" is the server as a whole), and the watchers of it.
public final class HealthStatusStore: Sendable {
    public typealias Status = HealthV1.HealthCheckResponse.ServingStatus

    private struct State {
        var statuses: [String: Status] = [:]
        var watchers: [Int: (service: String, continuation: AsyncStream<Status>.Continuation)] = [:]
        var nextWatcher = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func set(_ service: String, _ status: Status) {
        let watchers = state.withLock { state in
            state.statuses[service] = status
            return state.watchers.values.filter { $0.service == service }.map(\.continuation)
        }
        for watcher in watchers { watcher.yield(status) }
    }

    /// nil for a service this server does not know.
    public func status(of service: String) -> Status? {
        state.withLock { $0.statuses[service] }
    }

    /// Every known service ("" included) with its status.
    public var statuses: [String: Status] { state.withLock { $0.statuses } }

    /// The current status (SERVICE_UNKNOWN for an unknown service), then every change; ends at server shutdown.
    public func watch(_ service: String) -> AsyncStream<Status> {
        let (stream, continuation) = AsyncStream.makeStream(of: Status.self, bufferingPolicy: .bufferingNewest(8))
        let id = state.withLock { state in
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = (service, continuation)
            continuation.yield(state.statuses[service] ?? .serviceUnknown)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every watch (server shutdown).
    func finishWatchers() {
        let watchers = state.withLock { state in
            defer { state.watchers.removeAll() }
            return state.watchers.values.map(\.continuation)
        }
        for watcher in watchers { watcher.finish() }
    }
}

/// `aftersale.health.v1.Health`, on every server.
struct HealthService: HealthV1.Health.Handler {
    let store: HealthStatusStore

    func check(_ request: HealthV1.HealthCheckRequest, context: ServerContext) async throws -> HealthV1.HealthCheckResponse {
        guard let status = store.status(of: request.service) else {
            throw RPCError(.notFound, "unknown service '\(request.service)'")
        }
        return .init(status: status)
    }

    func watch(_ request: HealthV1.HealthCheckRequest, responses: ResponseWriter<HealthV1.HealthCheckResponse>,
               context: ServerContext) async throws {
        for await status in store.watch(request.service) {
            try await responses.write(.init(status: status))
        }
    }
}

/// `aftersale.reflection.v1.Reflection`, on every server: its services, methods and their schema.
struct ReflectionService: ReflectionV1.Reflection.Handler {
    /// Every service on the server, this one included.
    let services: [(name: String, methods: [MethodDescriptor])]

    init(serving others: [ServiceDefinition]) {
        services = (others.map { ($0.name, $0.methods.map(\.descriptor)) }
            + [(ReflectionV1.Reflection.name, ReflectionV1.Reflection.Method.all)]).sorted { $0.name < $1.name }
    }

    func listServices(_ request: ReflectionV1.ListServicesRequest, context: ServerContext) async throws -> ReflectionV1.ListServicesResponse {
        .init(services: services.map { .init(name: $0.name, methods: $0.methods.map(Self.info)) })
    }

    func describeMethod(_ request: ReflectionV1.DescribeMethodRequest, context: ServerContext) async throws -> ReflectionV1.MethodInfo {
        let wanted = Self.normalizedPath(request.method)
        for service in services {
            if let method = service.methods.first(where: { $0.path == wanted }) { return Self.info(method) }
        }
        throw RPCError(.notFound, "this server has no method '\(request.method)'")
    }

    func getFileDescriptorSet(_ request: ReflectionV1.FileDescriptorSetRequest,
                              context: ServerContext) async throws -> ReflectionV1.FileDescriptorSetResponse {
        .init(fileDescriptorSet: ProtoDescriptorSet.bytes)
    }

    static func info(_ method: MethodDescriptor) -> ReflectionV1.MethodInfo {
        .init(name: method.method, fullPath: method.path, inputType: method.inputType, outputType: method.outputType,
              clientStreaming: method.kind == .clientStreaming || method.kind == .bidirectionalStreaming,
              serverStreaming: method.kind == .serverStreaming || method.kind == .bidirectionalStreaming)
    }

    /// Accepts `/pkg.Service/Method` and `pkg.Service.Method`.
    static func normalizedPath(_ method: String) -> String {
        if method.hasPrefix("/") { return method }
        guard let dot = method.lastIndex(of: ".") else { return method }
        return "/\(method[..<dot])/\(method[method.index(after: dot)...])"
    }
}
