import AfterSaleTestSupport
import Foundation
import RPCShared
import ServiceRuntime
import Testing

/// A dependency that stops answering (SIGSTOP: its socket stays open, nothing comes back) must not make the
/// gateway queue without bound: deadlines fire for what was admitted, everything past the in-flight limit is
/// refused at once with RESOURCE_EXHAUSTED, health stays answered, and service resumes when the dependency does.
@Suite(.timeLimit(.minutes(3))) struct LoadSheddingTests {
    @Test func aStalledDependencyIsShedNotQueued() async throws {
        let limit = 8
        try await withProcessSystem(extraArguments: ["gateway": ["--max-in-flight", "\(limit)"]]) { system in
            try await system.seedCatalogue()
            let order = try await system.createDeliveredOrder(lines: [("TEE-ORG-BLU-S", 1)])
            let opened = try await system.openCaseDirectly(order)
            let agent = system.client(role: .agent, subject: "agent-shed")
            _ = try await agent.getCase(.init(caseID: opened.id), options: .read)

            system.pause("order")
            let clock = ContinuousClock()
            let started = clock.now
            let codes = await withTaskGroup(of: StatusCode.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        do {
                            _ = try await agent.getCase(.init(caseID: opened.id), options: CallOptions(timeout: .seconds(3)))
                            return .ok
                        } catch let error as RPCError { return error.code } catch { return .unknown }
                    }
                }
                return await group.reduce(into: [StatusCode]()) { $0.append($1) }
            }
            let elapsed = clock.now - started
            let shed = codes.filter { $0 == .resourceExhausted }.count
            #expect(shed >= 40 - limit, "everything past the limit is shed: \(codes)")
            #expect(codes.allSatisfy { [.resourceExhausted, .deadlineExceeded, .unavailable].contains($0) }, "\(codes)")
            #expect(elapsed < .seconds(10), "the admitted calls end at their deadline, not later: \(elapsed)")

            // Probes are never shed, even while the gateway is full.
            let health = try RPCClient(system.address("gateway"))
            defer { Task { await health.close() } }
            #expect(try await HealthV1.Health.Client(transport: health).check(.init(), options: .init(timeout: .seconds(5))).status == .serving)

            system.resume("order")
            let view = try await KillRecoveryTests.untilAnswered("read after resume") {
                try await agent.getCase(.init(caseID: opened.id), options: .read)
            }
            #expect(view.afterSaleCase?.id == opened.id)
        }
    }
}
