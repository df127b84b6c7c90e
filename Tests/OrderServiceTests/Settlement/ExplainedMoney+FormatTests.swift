import Foundation
import RPCShared
import Testing
@testable import OrderService

@Suite struct ExplainedMoneyFormatTests {
    @Test(arguments: [
        (Int64(4050), "EUR", "40.50"), (-405, "EUR", "−4.05"), (5, "USD", "0.05"), (0, "CNY", "0.00"),
        (1999, "JPY", "1999"), (-300, "KRW", "−300"), (1_250, "BHD", "1.250"), (7, "KWD", "0.007"),
        (Int64.min, "EUR", "−92233720368547758.08"),
    ])
    func formatsWithTheCurrencyExponent(minorUnits: Int64, currency: String, expected: String) {
        #expect(OrderV1.ExplainedMoney.format(minorUnits, currency) == expected)
    }

    @Test func formatsPercentagesAndSums() {
        #expect(OrderV1.ExplainedMoney.percent(1000) == "10 %")
        #expect(OrderV1.ExplainedMoney.percent(1250) == "12.5 %")
        #expect(OrderV1.ExplainedMoney.percent(5) == "0.05 %")
        #expect(OrderV1.ExplainedMoney.sum([45_00, -4_50, 4_05, -4_05], "EUR") == "45.00 − 4.50 + 4.05 − 4.05")
        #expect(OrderV1.ExplainedMoney.sum([-20_00, 5_00], "EUR") == "−20.00 + 5.00")
    }
}
