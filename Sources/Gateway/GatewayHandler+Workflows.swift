import RPCShared
import ServiceRuntime

/// The mutating gateway calls. Each validates its input, then runs as a saga (``SagaCoordinator``) under the
/// caller's `idempotency-key` and answers with the aggregated view of the case it leaves behind.
extension GatewayHandler {
    public func openCase(_ request: GatewayV1.OpenCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        var request = request
        let caller = GatewayCaller.current
        if caller.role == .customer && request.customerID.isEmpty { request.customerID = caller.subject }
        try CaseRequestValidation.validate(request)
        try caller.requireAccess(toCustomer: request.customerID, resource: "customer/\(request.customerID)")
        return try await saga("OpenCase", request, context: context, caller: caller, body: openCaseSaga(request, caller: caller))
    }

    public func approveCase(_ request: GatewayV1.ApproveCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        try CaseRequestValidation.validate(request)
        let caller = GatewayCaller.current
        return try await saga("ApproveCase", request, context: context, caller: caller, body: approveCaseSaga(request, caller: caller))
    }

    public func rejectCase(_ request: GatewayV1.RejectCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        try CaseRequestValidation.validate(request)
        let caller = GatewayCaller.current
        return try await saga("RejectCase", request, context: context, caller: caller, body: rejectCaseSaga(request, caller: caller))
    }

    public func cancelCase(_ request: GatewayV1.CancelCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        try CaseRequestValidation.validate(request)
        let caller = GatewayCaller.current
        return try await saga("CancelCase", request, context: context, caller: caller, body: cancelCaseSaga(request, caller: caller))
    }

    public func recordReceipt(_ request: GatewayV1.RecordReceiptRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        try CaseRequestValidation.validate(request)
        let caller = GatewayCaller.current
        return try await saga("RecordReceipt", request, context: context, caller: caller, body: recordReceiptSaga(request, caller: caller))
    }

    public func inspectCase(_ request: GatewayV1.InspectCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        try CaseRequestValidation.validate(request)
        let caller = GatewayCaller.current
        return try await saga("InspectCase", request, context: context, caller: caller, body: inspectCaseSaga(request, caller: caller))
    }

    public func resolveCase(_ request: GatewayV1.ResolveCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        try CaseRequestValidation.validate(request)
        let caller = GatewayCaller.current
        return try await saga("ResolveCase", request, context: context, caller: caller, body: resolveCaseSaga(request, caller: caller))
    }

    private func saga(_ method: String, _ request: some ProtoMessage, context: ServerContext, caller: GatewayCaller,
                      body: @escaping SagaCoordinator.Body) async throws -> GatewayV1.CaseView {
        let afterSaleCase = try await coordinator.execute(method: method, request: request, context: context, caller: caller, body: body)
        return await assembler.view(of: afterSaleCase, budget: DownstreamBudget(context: context))
    }

    /// The workflow of a stored saga, for the reconciler: the same code a handler runs, over the stored request and
    /// on behalf of the stored caller.
    func workflow(for record: SagaRecord) throws -> SagaCoordinator.Body {
        let bytes = record.request, caller = record.caller
        switch record.method {
        case "OpenCase": return openCaseSaga(try .init(serializedBytes: bytes), caller: caller)
        case "ApproveCase": return approveCaseSaga(try .init(serializedBytes: bytes), caller: caller)
        case "RejectCase": return rejectCaseSaga(try .init(serializedBytes: bytes), caller: caller)
        case "CancelCase": return cancelCaseSaga(try .init(serializedBytes: bytes), caller: caller)
        case "RecordReceipt": return recordReceiptSaga(try .init(serializedBytes: bytes), caller: caller)
        case "InspectCase": return inspectCaseSaga(try .init(serializedBytes: bytes), caller: caller)
        case "ResolveCase": return resolveCaseSaga(try .init(serializedBytes: bytes), caller: caller)
        default: throw RPCError(.internal, "saga \(record.id) has unknown method \(record.method)")
        }
    }

    /// The case, read once per saga; a customer may act on its own cases only.
    func caseForSaga(_ run: SagaRun, _ caseID: String, caller: GatewayCaller) async throws -> OrderV1.Case {
        let afterSaleCase = try await run.read("order.GetCase", service: "order") {
            try await downstream.order.getCase(.init(caseID: caseID), options: $0)
        }
        try caller.requireAccess(toCustomer: afterSaleCase.customerID, resource: "case/\(caseID)")
        return afterSaleCase
    }

    /// Runs a step that must not undo the workflow when refused: a refusal (the label was already used, the
    /// reservation already released) is logged and the saga goes on; only transient failures propagate, so the
    /// reconciler repeats the step.
    func bestEffort(_ what: String, _ step: () async throws -> Void) async throws {
        do { try await step() } catch where !GatewayCallError.isTransient(error) {
            logger.notice("workflow step refused; continuing", metadata: ["step": "\(what)", "error": "\(error)"])
        }
    }
}
