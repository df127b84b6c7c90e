@testable import OrderService
import RPCShared
import Testing

/// Every action from every status, for each kind of case that changes the rules: the expected table is written
/// out from docs/CONTRACT.md and compared with the state machine for all 12 × 13 × 4 combinations.
@Suite struct CaseStateMachineTests {
    typealias S = OrderV1.CaseStatus

    /// The contract's table for a RETURN_REFUND case without instant refund and nothing received.
    static let base: [CaseAction: [S: S]] = [
        .approve: [.requested: .approved, .reopened: .approved],
        .reject: [.requested: .rejected, .reopened: .rejected],
        .cancel: [.requested: .canceled, .reopened: .canceled, .approved: .canceled, .awaitingShipment: .canceled, .inTransit: .canceled],
        .attachReturnShipment: [.approved: .awaitingShipment],
        .attachReplacementShipment: [.requested: .requested, .approved: .approved, .awaitingShipment: .awaitingShipment,
                                     .inTransit: .inTransit, .received: .received, .inspected: .inspected,
                                     .resolved: .resolved, .reopened: .reopened],
        .markShipped: [.approved: .inTransit, .awaitingShipment: .inTransit],
        .recordReceipt: [.approved: .received, .awaitingShipment: .received, .inTransit: .received, .received: .received],
        .inspect: [.received: .inspected],
        .resolve: [.inspected: .resolved],
        .close: [.resolved: .closed, .rejected: .closed, .canceled: .closed, .expired: .closed],
        .expire: [.approved: .expired, .awaitingShipment: .expired],
        .reopen: [.closed: .reopened, .rejected: .reopened, .expired: .reopened],
    ]

    enum Variant: String, CaseIterable, Sendable {
        case returnRefund, instantRefund, refundOnly, somethingReceived

        var facts: CaseFacts {
            switch self {
            case .returnRefund: CaseFacts(kind: .returnRefund)
            case .instantRefund: CaseFacts(kind: .exchange, instantRefund: true)
            case .refundOnly: CaseFacts(kind: .refundOnly)
            case .somethingReceived: CaseFacts(kind: .repairWarranty, unitsReceived: 1)
            }
        }

        /// The contract's table for this variant.
        var table: [CaseAction: [S: S]] {
            var table = CaseStateMachineTests.base
            switch self {
            case .returnRefund: break
            case .instantRefund:
                table[.recordReceipt]?[.resolved] = .resolved
                table[.inspect]?[.resolved] = .resolved
                table[.resolve]?[.inTransit] = .resolved
                table[.resolve]?[.received] = .resolved
            case .refundOnly:
                table[.attachReturnShipment] = [:]
                table[.markShipped] = [:]
                table[.recordReceipt] = [:]
                table[.inspect] = [:]
                table[.resolve]?[.approved] = .resolved
            case .somethingReceived:
                table[.cancel] = [:]
            }
            return table
        }
    }

    static let statuses: [S] = S.allCases.filter { if case .unrecognized = $0 { return false } else { return true } }

    @Test(arguments: CaseAction.allCases, Variant.allCases)
    func everyStatus(_ action: CaseAction, _ variant: Variant) {
        let expected = variant.table[action] ?? [:]
        for status in Self.statuses {
            let target = CaseStateMachine.target(of: action, from: status, facts: variant.facts)
            #expect(target == expected[status], "\(action) from \(status.label) (\(variant)) → \(target.map(\.label) ?? "forbidden")")
        }
    }

    @Test func forbiddenIsFailedPreconditionNamingTheAllowedStatuses() throws {
        do {
            _ = try CaseStateMachine.transition(.approve, from: .received, facts: CaseFacts(kind: .returnRefund), caseID: "case_1")
            Issue.record("approve from RECEIVED must be forbidden")
        } catch let error as RPCError {
            #expect(error.code == .failedPrecondition)
            #expect(error.errorDetails?.reason == "CASE_TRANSITION_FORBIDDEN")
            #expect(error.errorDetails?.resource == "case/case_1")
            #expect(error.message == "cannot approve case case_1 in status RECEIVED; allowed from REQUESTED, REOPENED")
        }
    }

    @Test func cancelAfterReceiptSaysWhy() {
        do {
            _ = try CaseStateMachine.transition(.cancel, from: .inTransit, facts: CaseFacts(kind: .returnRefund, unitsReceived: 2), caseID: "c")
            Issue.record("cancel after a receipt must be forbidden")
        } catch let error as RPCError {
            #expect(error.message.contains("with received units"), "\(error.message)")
        } catch { Issue.record("\(error)") }
    }

    @Test func unknownStatusesAllowNothing() {
        for action in CaseAction.allCases {
            #expect(CaseStateMachine.target(of: action, from: .unrecognized(99), facts: CaseFacts(kind: .returnRefund)) == nil)
            #expect(CaseStateMachine.target(of: action, from: .unspecified, facts: CaseFacts(kind: .returnRefund)) == nil)
        }
    }
}
