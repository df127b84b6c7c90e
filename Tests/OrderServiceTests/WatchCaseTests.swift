import AfterSaleTestSupport
import Foundation
@testable import OrderService
import RPCShared
import ServiceRuntime
import Synchronization
import Testing

/// WatchCase over a real socket: stored entries, then live ones; resume from a sequence; status-only filter.
@Suite struct WatchCaseTests {
    /// Collects a stream's events in the background until cancelled.
    final class Collector: Sendable {
        let events = Mutex<[OrderV1.CaseEvent]>([])
        let failure = Mutex<RPCError?>(nil)
        var count: Int { events.withLock { $0.count } }
        var sequences: [Int64] { events.withLock { $0.map { $0.entry?.sequence ?? 0 } } }

        func waitFor(_ count: Int, timeout: Duration = .seconds(5)) async throws {
            let deadline = ContinuousClock.now + timeout
            while self.count < count && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    static func watch(_ client: OrderV1.OrderService.Client, _ request: OrderV1.WatchCaseRequest) -> (Collector, Task<Void, Never>) {
        let collector = Collector()
        let task = Task {
            do {
                for try await event in client.watchCase(request, options: CallOptions(timeout: .seconds(30))) {
                    collector.events.withLock { $0.append(event) }
                }
            } catch let error as RPCError {
                collector.failure.withLock { $0 = error }
            } catch {}
        }
        return (collector, task)
    }

    @Test func storedThenLiveThenResumed() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            let opened = try await harness.openCase(order, units: [1])
            let approved = try await harness.approve(opened)
            let (all, allTask) = Self.watch(harness.client, .init(caseID: opened.id))
            let (changes, changesTask) = Self.watch(harness.client, .init(caseID: opened.id, statusChangesOnly: true))
            try await all.waitFor(2)
            #expect(all.sequences == [1, 2])

            _ = try await harness.client.attachShipment(.init(caseID: opened.id, role: .replacement, shipmentID: "rep-1"), options: .mutating())
            _ = try await harness.client.markShipped(.init(caseID: opened.id), options: .mutating())
            _ = try await harness.receiveAll(approved)
            try await all.waitFor(5)
            try await changes.waitFor(4)
            #expect(all.sequences == [1, 2, 3, 4, 5])
            let live = all.events.withLock { $0 }
            #expect(live.map { $0.entry?.eventType } == [.opened, .approved, .shipmentAttached, .shipped, .received])
            #expect(live.map { $0.snapshot?.status } == [.requested, .approved, .approved, .inTransit, .received])
            #expect(live[2].snapshot?.replacementShipmentID == "rep-1")
            #expect(changes.sequences == [1, 2, 4, 5], "the shipment attachment changed no status")

            allTask.cancel()
            changesTask.cancel()
            await allTask.value
            await changesTask.value
            // The server drops the watchers of cancelled streams.
            let deadline = ContinuousClock.now + .seconds(5)
            while harness.components.broadcaster.watcherCount > 0 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(harness.components.broadcaster.watcherCount == 0)

            let (resumed, resumedTask) = Self.watch(harness.client, .init(caseID: opened.id, afterSequence: 3))
            try await resumed.waitFor(2)
            #expect(resumed.sequences == [4, 5])
            resumedTask.cancel()
            await resumedTask.value
        }
    }

    @Test func refundOutcomesFromTheExecutorAreStreamed() async throws {
        try await withHarness { harness in
            let order = try await harness.createOrder()
            let inspected = try await harness.inspectedCase(order)
            let (watcher, task) = Self.watch(harness.client, .init(caseID: inspected.id, afterSequence: 4))
            _ = try await harness.resolve(inspected)
            await harness.components.refundExecutor.executePending()
            try await watcher.waitFor(3)
            #expect(watcher.events.withLock { $0.map { $0.entry?.eventType } } == [.resolved, .refundCreated, .refundSucceeded])
            task.cancel()
            await task.value
        }
    }

    @Test func badWatchRequests() async throws {
        try await withHarness { harness in
            for (request, code, text) in [
                (OrderV1.WatchCaseRequest(caseID: "case_nope"), StatusCode.notFound, "case case_nope"),
                (OrderV1.WatchCaseRequest(), .invalidArgument, "case_id"),
                (OrderV1.WatchCaseRequest(caseID: "x", afterSequence: -1), .invalidArgument, "after_sequence"),
            ] {
                let (collector, task) = Self.watch(harness.client, request)
                await task.value
                let failure = collector.failure.withLock { $0 }
                #expect(failure?.code == code && failure?.message.contains(text) == true, "\(String(describing: failure))")
            }
        }
    }
}
