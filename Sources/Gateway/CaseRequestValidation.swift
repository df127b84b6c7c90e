import RPCShared
import ServiceRuntime

/// Input limits of the gateway's mutating calls, checked before anything is called downstream: every violation in
/// one INVALID_ARGUMENT. The services validate again (they are the source of truth); checking here means a bad
/// request costs no saga and no downstream call.
enum CaseRequestValidation {
    static let maxLines = 100
    static let maxEvidence = 20

    static func validate(_ request: GatewayV1.OpenCaseRequest) throws {
        var check = FieldValidator()
        check.identifier(request.orderID, "order_id")
        check.identifier(request.customerID, "customer_id")
        check.known(request.kind, "kind")
        check.count(request.lines, "lines", required: true, max: maxLines)
        for (index, line) in request.lines.enumerated() {
            let field = "lines[\(index)]"
            check.identifier(line.orderLineID, "\(field).order_line_id")
            check.positive(line.quantity, "\(field).quantity")
            check.known(line.reason, "\(field).reason")
            optional(line.requestedResolution, "\(field).requested_resolution", &check)
            check.text(line.reasonText, "\(field).reason_text")
            check.optionalIdentifier(line.exchangeSKU, "\(field).exchange_sku")
            check.require(line.requestedResolution != .exchange || !line.exchangeSKU.isEmpty,
                          "\(field).exchange_sku", "is required when the requested resolution is EXCHANGE")
            check.require(line.exchangeUnitPrice == nil, "\(field).exchange_unit_price", "is filled by the gateway; leave it empty")
            check.count(line.evidenceURLs, "\(field).evidence_urls", max: maxEvidence)
            for (urlIndex, url) in line.evidenceURLs.enumerated() {
                check.text(url, "\(field).evidence_urls[\(urlIndex)]", required: true, maxLength: 2048)
            }
        }
        optional(request.returnMethod, "return_method", &check)
        check.text(request.note, "note")
        try check.validate()
    }

    static func validate(_ request: GatewayV1.ApproveCaseRequest) throws {
        var check = caseChange(request.caseID, request.expectedVersion)
        lineQuantities(request.lines, &check)
        optional(request.returnShippingPreference, "return_shipping_preference", &check)
        check.text(request.note, "note")
        try check.validate()
    }

    static func validate(_ request: GatewayV1.RejectCaseRequest) throws {
        var check = caseChange(request.caseID, request.expectedVersion)
        check.known(request.reason, "reason")
        check.text(request.message, "message")
        try check.validate()
    }

    static func validate(_ request: GatewayV1.CancelCaseRequest) throws {
        var check = caseChange(request.caseID, request.expectedVersion)
        check.text(request.reason, "reason")
        try check.validate()
    }

    static func validate(_ request: GatewayV1.RecordReceiptRequest) throws {
        var check = caseChange(request.caseID, request.expectedVersion)
        check.count(request.lines, "lines", required: true, max: maxLines)
        lineQuantities(request.lines, &check)
        check.optionalIdentifier(request.warehouseID, "warehouse_id")
        check.timestamp(request.receivedAt, "received_at")
        check.text(request.note, "note")
        try check.validate()
    }

    static func validate(_ request: GatewayV1.InspectCaseRequest) throws {
        var check = caseChange(request.caseID, request.expectedVersion)
        check.count(request.lines, "lines", required: true, max: maxLines)
        for (index, line) in request.lines.enumerated() {
            let field = "lines[\(index)]"
            check.identifier(line.caseLineID, "\(field).case_line_id")
            check.nonNegative(line.acceptedQuantity, "\(field).accepted_quantity")
            check.nonNegative(line.rejectedQuantity, "\(field).rejected_quantity")
            optional(line.disposition, "\(field).disposition", &check)
            optional(line.rejectedDisposition, "\(field).rejected_disposition", &check)
            check.count(line.findings, "\(field).findings", max: 20)
            check.text(line.notes, "\(field).notes")
            check.text(line.serialNumber, "\(field).serial_number", maxLength: 128)
        }
        check.optionalIdentifier(request.warehouseID, "warehouse_id")
        try check.validate()
    }

    static func validate(_ request: GatewayV1.ResolveCaseRequest) throws {
        var check = caseChange(request.caseID, request.expectedVersion)
        optional(request.resolution, "resolution", &check)
        check.timestamp(request.storeCreditExpiresAt, "store_credit_expires_at")
        check.text(request.note, "note")
        try check.validate()
    }

    /// An enum that may be left unset (0) but, when set, must be a value this server knows.
    private static func optional<E: ProtoEnum>(_ value: E, _ field: String, _ check: inout FieldValidator) {
        if value.rawValue != 0 { check.known(value, field) }
    }

    private static func caseChange(_ caseID: String, _ expectedVersion: Int64) -> FieldValidator {
        var check = FieldValidator()
        check.identifier(caseID, "case_id")
        check.nonNegative(expectedVersion, "expected_version")
        return check
    }

    private static func lineQuantities(_ lines: [OrderV1.LineQuantity], _ check: inout FieldValidator) {
        check.count(lines, "lines", max: maxLines)
        for (index, line) in lines.enumerated() {
            check.identifier(line.caseLineID, "lines[\(index)].case_line_id")
            check.nonNegative(line.quantity, "lines[\(index)].quantity")
        }
    }
}
