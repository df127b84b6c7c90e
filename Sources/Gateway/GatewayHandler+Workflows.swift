import RPCShared
import ServiceRuntime

/// The mutating gateway calls. Each validates its input, then runs as a saga (``SagaCoordinator``) under the
/// caller's `idempotency-key` and answers with the aggregated view of the case it leaves behind.
extension GatewayHandler {
    public func openCase(_ request: GatewayV1.OpenCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        var request = request
        let caller = GatewayCaller.current
        if caller.role == .customer && request.customerID.isEmpty { request.customerID = caller.subject }
        // Validated before the ownership check, so a malformed id is INVALID_ARGUMENT, not PERMISSION_DENIED.
        try CaseRequestValidation.validate(request)
        try caller.requireAccess(toCustomer: request.customerID, resource: "customer/\(request.customerID)")
        return try await saga(request, context: context, validate: { _ in }, body: openCaseSaga)
    }

    public func approveCase(_ request: GatewayV1.ApproveCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        try await saga(request, context: context, validate: CaseRequestValidation.validate, body: approveCaseSaga)
    }

    public func rejectCase(_ request: GatewayV1.RejectCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        try await saga(request, context: context, validate: CaseRequestValidation.validate, body: rejectCaseSaga)
    }

    public func cancelCase(_ request: GatewayV1.CancelCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        try await saga(request, context: context, validate: CaseRequestValidation.validate, body: cancelCaseSaga)
    }

    public func recordReceipt(_ request: GatewayV1.RecordReceiptRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        try await saga(request, context: context, validate: CaseRequestValidation.validate, body: recordReceiptSaga)
    }

    public func inspectCase(_ request: GatewayV1.InspectCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        try await saga(request, context: context, validate: CaseRequestValidation.validate, body: inspectCaseSaga)
    }

    public func resolveCase(_ request: GatewayV1.ResolveCaseRequest, context: ServerContext) async throws -> GatewayV1.CaseView {
        try await saga(request, context: context, validate: CaseRequestValidation.validate, body: resolveCaseSaga)
    }

    /// Validates `request`, runs its saga (named after the RPC, which is also how the reconciler finds the workflow
    /// again) for the current caller, and answers with the view of the case it leaves behind.
    private func saga<Request: ProtoMessage>(
        _ request: Request, context: ServerContext, validate: (Request) throws -> Void,
        body: (Request, GatewayCaller) -> SagaCoordinator.Body
    ) async throws -> GatewayV1.CaseView {
        try validate(request)
        let caller = GatewayCaller.current
        let afterSaleCase = try await coordinator.execute(method: context.method.method, request: request, context: context,
                                                          caller: caller, body: body(request, caller))
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
