import RPCShared
import ServiceRuntime
import Testing

@Suite struct MoneyMathTests {
    @Test(arguments: [
        (Int64(405), Int64(1), Int64(10), Int64(41)),      // 40.5 → 41 (half away from zero)
        (Int64(-405), Int64(1), Int64(10), Int64(-41)),
        (Int64(404), Int64(1), Int64(10), Int64(40)),
        (Int64(1000), Int64(1), Int64(3), Int64(333)),
        (Int64(2000), Int64(1), Int64(3), Int64(667)),
        (Int64.max, Int64(1), Int64(2), Int64(4_611_686_018_427_387_904)),
        (Int64(100), Int64(-1), Int64(4), Int64(-25)),
    ])
    func scaleRoundsHalfAwayFromZeroWithoutOverflow(value: Int64, numerator: Int64, denominator: Int64, expected: Int64) {
        #expect(MoneyMath.scale(value, by: numerator, over: denominator) == expected)
    }

    @Test func basisPoints() {
        #expect(MoneyMath.basisPoints(4050, 1000) == 405)
        #expect(MoneyMath.basisPoints(-4050, 1000) == -405)
        #expect(MoneyMath.basisPoints(5, 1000) == 1)       // 0.5 → 1
        #expect(MoneyMath.basisPoints(4, 1000) == 0)
    }

    @Test func allocationAddsUpExactly() {
        #expect(MoneyMath.allocate(1200, weights: [9000, 3000]) == [900, 300])
        #expect(MoneyMath.allocate(100, weights: [1, 1, 1]) == [34, 33, 33])
        #expect(MoneyMath.allocate(-100, weights: [1, 1, 1]) == [-34, -33, -33])
        #expect(MoneyMath.allocate(10, weights: [0, 0]) == [5, 5])
        #expect(MoneyMath.allocate(7, weights: []) == [])
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let weights = (0..<Int.random(in: 1...8, using: &generator)).map { _ in Int64.random(in: 0...1_000_000, using: &generator) }
            let total = Int64.random(in: -10_000_000...10_000_000, using: &generator)
            let shares = MoneyMath.allocate(total, weights: weights)
            #expect(shares.reduce(0, +) == total)
            #expect(shares.allSatisfy { total >= 0 ? $0 >= 0 : $0 <= 0 })
        }
    }

    @Test func addingRefusesMixedCurrenciesAndOverflow() throws {
        let eur = CommonV1.Money(currency: "EUR", minorUnits: 100)
        #expect(try MoneyMath.add(eur, eur).minorUnits == 200)
        #expect(try MoneyMath.subtract(eur, .init(currency: "EUR", minorUnits: 250)).minorUnits == -150)
        #expect(throws: RPCError.self) { try MoneyMath.add(eur, .init(currency: "USD", minorUnits: 1)) }
        #expect(throws: RPCError.self) { try MoneyMath.add(.init(currency: "EUR", minorUnits: .max), eur) }
        let error = try #require(throws: RPCError.self) { try MoneyMath.add(eur, .init(currency: "USD", minorUnits: 1), field: "refund") }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("refund"))
    }

    @Test func currencyCodes() {
        #expect(MoneyMath.isCurrencyCode("EUR"))
        #expect(!MoneyMath.isCurrencyCode("eur"))
        #expect(!MoneyMath.isCurrencyCode("EURO"))
        #expect(!MoneyMath.isCurrencyCode(""))
    }
}
