import Foundation
import RPCShared
import Testing
@testable import OrderService

@Suite struct UnitProrationTests {
    /// However the units of a line are split into consecutive cases, the shares add up to the amount.
    @Test(arguments: [(Int64(10_00), Int64(3)), (5, 2), (1, 7), (99_99, 6), (0, 4), (1_000_000_007, 5)])
    func sharesTelescopeToTheAmount(amount: Int64, quantity: Int64) {
        let proration = UnitProration(lineQuantity: quantity)
        var generator = SeededGenerator(seed: UInt64(amount &+ quantity))
        for _ in 0..<200 {
            var settled: Int64 = 0
            var total: Int64 = 0
            while settled < quantity {
                let units = Int64.random(in: 1...(quantity - settled), using: &generator)
                let share = proration.share(of: amount, units: units, after: settled)
                #expect(abs(share.amount - share.plain) <= 1)
                total += share.amount
                settled += units
            }
            #expect(total == amount)
        }
    }

    @Test func firstCaseRoundsPlainlyAndTheLastTakesTheRemainder() {
        let proration = UnitProration(lineQuantity: 3)
        #expect(proration.share(of: 10_00, units: 1, after: 0) == .init(amount: 3_33, plain: 3_33))
        #expect(proration.share(of: 10_00, units: 1, after: 1) == .init(amount: 3_34, plain: 3_33))
        #expect(proration.share(of: 10_00, units: 1, after: 2) == .init(amount: 3_33, plain: 3_33))
        #expect(UnitProration(lineQuantity: 2).share(of: 5, units: 1, after: 0).amount == 3)  // 2.5 → 3
    }
}
