import AfterSaleTestSupport
import Foundation
@testable import OrderService
import RPCShared
import ServiceRuntime
import Testing

/// The ledger invariant under load: many OpenCase calls in parallel over real sockets (several connections)
/// must never claim more units than were delivered.
@Suite struct OrderLineLedgerConcurrencyTests {
    @Test func parallelOpenCaseNeverOverCommitsALine() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()   // line A: 3 delivered, line B: 1 delivered
            let clients = (0..<4).map { _ in
                var configuration = ClientConfiguration()
                configuration.backoff.initial = .milliseconds(10)
                return RPCClient(endpoints: [harness.served.endpoint], configuration: configuration)
            }
            defer { for client in clients { Task { await client.close() } } }
            let attempts = 40
            let outcomes = await withTaskGroup(of: Result<Int32, RPCError>.self) { group in
                for index in 0..<attempts {
                    let client = OrderV1.OrderService.Client(transport: clients[index % clients.count])
                    // Mix of 1-unit and 2-unit claims on line A, plus some on line B.
                    let lineIndex = index % 5 == 4 ? 1 : 0
                    let quantity: Int32 = lineIndex == 0 && index % 3 == 0 ? 2 : 1
                    group.addTask {
                        do {
                            _ = try await client.openCase(.init(orderID: order.id, customerID: order.customerID, kind: .returnRefund,
                                                                lines: [.init(orderLineID: order.lines[lineIndex].id, quantity: quantity,
                                                                              reason: .sizeFit, requestedResolution: .refund)]),
                                                          options: .mutating())
                            return .success(quantity)
                        } catch let error as RPCError {
                            return .failure(error)
                        } catch {
                            return .failure(RPCError(.unknown, "\(error)"))
                        }
                    }
                }
                var outcomes: [Result<Int32, RPCError>] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            let failures = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
            #expect(failures.allSatisfy { $0.code == .failedPrecondition && $0.errorDetails?.reason == "QUANTITY_EXCEEDED" },
                    "\(failures.filter { $0.errorDetails?.reason != "QUANTITY_EXCEEDED" })")
            let stored = try await harness.client.getOrder(.init(orderID: order.id))
            let cases = try await harness.client.listCases(.init(page: .init(pageSize: 500), orderID: order.id)).cases
            var claimed: [String: Int32] = [:]
            for afterSaleCase in cases {
                for line in afterSaleCase.lines { claimed[line.orderLineID, default: 0] += line.quantities?.requested ?? 0 }
            }
            // Never over-committed, and (since enough calls asked) every unit got claimed.
            #expect(claimed[order.lines[0].id] ?? 0 == 3)
            #expect(claimed[order.lines[1].id] ?? 0 == 1)
            #expect(stored.lines.map(\.openCaseQuantity) == [3, 1])
            #expect(outcomes.count == attempts && cases.count == attempts - failures.count)
        }
    }
}
