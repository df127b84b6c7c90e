import RPCShared
import Testing
@testable import GRPCBridge

@Suite struct GRPCReflectionServiceTests {
    let reflection = GRPCReflectionService(serviceNames: ["b.Service", "a.Service"])

    func ask(_ request: GRPCReflectionV1.ServerReflectionRequest.MessageRequest) -> GRPCReflectionV1.ServerReflectionResponse.MessageResponse? {
        reflection.answer(.init(host: "h", messageRequest: request)).messageResponse
    }

    func fileNames(_ response: GRPCReflectionV1.ServerReflectionResponse.MessageResponse?) -> [String] {
        guard case .fileDescriptorResponse(let files) = response else { return [] }
        // A FileDescriptorProto's field 1 is its name: the first bytes are tag 0x0a, a length, the name.
        return files.fileDescriptorProto.map { String(decoding: $0[2..<(2 + Int($0[1]))], as: UTF8.self) }
    }

    @Test func listsTheServicesSorted() {
        guard case .listServicesResponse(let list) = ask(.listServices("")) else { Issue.record("no list"); return }
        #expect(list.service.map(\.name) == ["a.Service", "b.Service"])
    }

    @Test func aFileComesWithEveryFileItImportsTransitively() {
        let names = fileNames(ask(.fileByFilename("aftersale/gateway/v1/gateway.proto")))
        #expect(names.first == "aftersale/gateway/v1/gateway.proto")
        #expect(Set(names).isSuperset(of: ["aftersale/common/v1/common.proto", "aftersale/order/v1/order.proto"]))
        #expect(Set(names).count == names.count)
    }

    @Test(arguments: ["aftersale.gateway.v1.AfterSaleGateway", "aftersale.gateway.v1.AfterSaleGateway.GetCase",
                      "aftersale.gateway.v1.CaseView", ".aftersale.gateway.v1.CaseView", "aftersale.gateway.v1.CaseView.risk"])
    func symbolsResolveToTheirFile(_ symbol: String) {
        #expect(fileNames(ask(.fileContainingSymbol(symbol))).first == "aftersale/gateway/v1/gateway.proto")
    }

    @Test func nestedTypesResolveToo() {
        #expect(fileNames(ask(.fileContainingSymbol("grpc.health.v1.HealthCheckResponse.ServingStatus"))).first
            == "grpc/health/v1/health.proto")
    }

    @Test(arguments: [GRPCReflectionV1.ServerReflectionRequest.MessageRequest.fileContainingSymbol("no.Such"),
                      .fileByFilename("no/such.proto"), .fileContainingExtension(.init(containingType: "x", extensionNumber: 5)),
                      .allExtensionNumbersOfType("no.Such")])
    func unknownNamesAreNotFound(_ request: GRPCReflectionV1.ServerReflectionRequest.MessageRequest) {
        guard case .errorResponse(let error) = ask(request) else { Issue.record("no error for \(request)"); return }
        #expect(error.errorCode == StatusCode.notFound.rawValue)
    }

    @Test func theAnswerEchoesTheRequestAndHost() {
        let response = reflection.answer(.init(host: "h", messageRequest: .listServices("*")))
        #expect(response.validHost == "h")
        #expect(response.originalRequest?.messageRequest == .listServices("*"))
    }
}
