import RPCShared

/// The standard `grpc.reflection.v1.ServerReflection` (and v1alpha, the same messages, which grpcio-reflection's
/// Python client and older grpcurl speak) on the gRPC listener: service names, and file descriptors from the
/// descriptor set embedded at generation time (``ProtoDescriptorSet``).
struct GRPCReflectionService: GRPCReflectionV1.ServerReflection.Handler {
    typealias Request = GRPCReflectionV1.ServerReflectionRequest
    typealias Response = GRPCReflectionV1.ServerReflectionResponse

    /// Full names of the services on the listener, sorted.
    let serviceNames: [String]
    private let files: [String: ProtoDescriptorSet.File]
    private let fileBySymbol: [String: String]

    init(serviceNames: [String]) {
        self.serviceNames = serviceNames.sorted()
        files = Dictionary(ProtoDescriptorSet.files.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        fileBySymbol = Dictionary(ProtoDescriptorSet.files.flatMap { file in file.symbols.map { ($0, file.name) } },
                                  uniquingKeysWith: { first, _ in first })
    }

    func serverReflectionInfo(_ requests: RequestStream<Request>, responses: ResponseWriter<Response>,
                              context: ServerContext) async throws {
        for try await request in requests { try await responses.write(answer(request)) }
    }

    /// v1alpha, served by the v1 implementation: the messages are wire-identical, so they are re-read as v1.
    var v1alphaDefinition: ServiceDefinition {
        ServiceDefinition(name: GRPCReflectionV1alpha.ServerReflection.name, methods: [
            .bidirectionalStreaming(GRPCReflectionV1alpha.ServerReflection.Method.serverReflectionInfo) { requests, responses, _ in
                for try await request in requests {
                    let answer = self.answer(try Request(serializedBytes: request.serializedBytes()))
                    try await responses.write(try .init(serializedBytes: answer.serializedBytes()))
                }
            },
        ])
    }

    func answer(_ request: Request) -> Response {
        var response = Response(validHost: request.host, originalRequest: request)
        switch request.messageRequest {
        case .listServices:
            response.messageResponse = .listServicesResponse(.init(service: serviceNames.map { .init(name: $0) }))
        case .fileByFilename(let name):
            response.messageResponse = files[name].map { .fileDescriptorResponse(descriptors(from: $0)) }
                ?? error(.notFound, "no file '\(name)'")
        case .fileContainingSymbol(let symbol):
            response.messageResponse = file(defining: symbol).map { .fileDescriptorResponse(descriptors(from: $0)) }
                ?? error(.notFound, "no symbol '\(symbol)'")
        case .fileContainingExtension(let request):
            response.messageResponse = error(.notFound, "no extension \(request.extensionNumber) of '\(request.containingType)': our protos define no extensions")
        case .allExtensionNumbersOfType(let type):
            response.messageResponse = fileBySymbol[type] != nil
                ? .allExtensionNumbersResponse(.init(baseTypeName: type, extensionNumber: []))
                : error(.notFound, "no type '\(type)'")
        case nil:
            response.messageResponse = error(.invalidArgument, "the request asks for nothing")
        }
        return response
    }

    /// The file defining `symbol`; a field or enum value (`pkg.Message.field`) resolves to its parent's file.
    private func file(defining symbol: String) -> ProtoDescriptorSet.File? {
        let name = symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol
        if let file = fileBySymbol[name] { return files[file] }
        guard let dot = name.lastIndex(of: ".") else { return nil }
        return fileBySymbol[String(name[..<dot])].flatMap { files[$0] }
    }

    /// The file first, then every file it imports, transitively (so that one answer builds a descriptor pool).
    private func descriptors(from file: ProtoDescriptorSet.File) -> GRPCReflectionV1.FileDescriptorResponse {
        var order: [ProtoDescriptorSet.File] = [], seen: Set<String> = []
        var pending = [file]
        while let next = pending.popLast() {
            guard seen.insert(next.name).inserted else { continue }
            order.append(next)
            pending.append(contentsOf: next.dependencies.compactMap { files[$0] })
        }
        let bytes = ProtoDescriptorSet.bytes
        return .init(fileDescriptorProto: order.map { Array(bytes[$0.range]) })
    }

    private func error(_ code: StatusCode, _ message: String) -> Response.MessageResponse {
        .errorResponse(.init(errorCode: code.rawValue, errorMessage: message))
    }
}
