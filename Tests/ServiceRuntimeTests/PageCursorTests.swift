import RPCShared
import ServiceRuntime
import Testing

@Suite struct PageCursorTests {
    @Test func tokensRoundTripForTheSameQueryOnly() throws {
        let cursor = PageCursor(key: "1732200000000000", id: "case_01J")
        let token = cursor.token(query: "customer=c1")
        #expect(try PageCursor.decode(.init(pageToken: token), query: "customer=c1") == cursor)
        let error = try #require(throws: RPCError.self) { try PageCursor.decode(.init(pageToken: token), query: "customer=c2") }
        #expect(error.code == .invalidArgument)
        #expect(error.message.hasPrefix("page.page_token:"))
    }

    @Test(arguments: ["garbage!", "AAAA", String(repeating: "A", count: 2000), "MXx4"])
    func hostileTokensAreInvalidArgument(_ token: String) {
        #expect(throws: RPCError.self) { try PageCursor.decode(.init(pageToken: token), query: "q") }
    }

    @Test func emptyTokenIsTheFirstPage() throws {
        #expect(try PageCursor.decode(nil, query: "q") == nil)
        #expect(try PageCursor.decode(.init(pageToken: ""), query: "q") == nil)
    }

    @Test func pageSizes() throws {
        #expect(try PageCursor.pageSize(nil) == 50)
        #expect(try PageCursor.pageSize(.init(pageSize: 10)) == 10)
        #expect(try PageCursor.pageSize(.init(pageSize: 10_000)) == 500)
        #expect(throws: RPCError.self) { try PageCursor.pageSize(.init(pageSize: -1)) }
    }

    @Test func pagingSplitsWithALookaheadRow() {
        let rows = Array(1...5)
        let (page, response) = PageCursor.page(rows, size: 4, query: "q") { PageCursor(key: "\($0)", id: "id\($0)") }
        #expect(page == [1, 2, 3, 4])
        #expect(!response.nextPageToken.isEmpty)
        let (last, lastResponse) = PageCursor.page(Array(rows.prefix(3)), size: 4, query: "q") { PageCursor(key: "\($0)", id: "") }
        #expect(last == [1, 2, 3])
        #expect(lastResponse.nextPageToken.isEmpty)
    }
}

@Suite struct FieldValidatorTests {
    @Test func collectsEveryViolationIntoOneError() throws {
        var check = FieldValidator()
        check.identifier("", "order_id")
        check.positive(-2, "lines[0].quantity")
        check.currency("eur", "amount.currency")
        check.text(String(repeating: "x", count: 5000), "note")
        check.identifier("ok_1", "customer_id")
        let error = try #require(throws: RPCError.self) { try check.validate() }
        #expect(error.code == .invalidArgument)
        #expect(error.errorDetails?.reason == "VALIDATION_FAILED")
        #expect(error.errorDetails?.fieldViolations.map(\.field) == ["order_id", "lines[0].quantity", "amount.currency", "note"])
        #expect(error.message.contains("lines[0].quantity: must be positive, got -2"))
    }

    @Test func textRules() {
        var check = FieldValidator()
        check.text("line one\nline two\ttab", "ok")
        check.text("bell\u{07}", "control")
        check.name("two\nlines", "name")
        check.identifier("with space", "id")
        check.identifier("naïve", "id2")
        #expect(check.violations.map(\.field) == ["control", "name", "id", "id2"])
    }

    @Test func enumsAndMoney() {
        var check = FieldValidator()
        check.known(OrderV1.CaseKind.unspecified, "kind")
        check.known(OrderV1.CaseKind(rawValue: 99), "kind2")
        check.known(OrderV1.CaseKind.exchange, "kind3")
        check.money(nil, "price")
        check.money(.init(currency: "EUR", minorUnits: -1), "price2")
        check.money(.init(currency: "EUR", minorUnits: -1), "delta", allowNegative: true)
        #expect(check.violations.map(\.field) == ["kind", "kind2", "price", "price2.minor_units"])
    }
}

@Suite struct IdentifierTests {
    @Test func idsSortByCreationTimeAndDoNotCollide() {
        let early = Identifier.make("case", at: .init(timeIntervalSince1970: 1_700_000_000))
        let later = Identifier.make("case", at: .init(timeIntervalSince1970: 1_700_000_000.002))
        #expect(early < later)
        #expect(early.hasPrefix("case_") && early.count == 31)
        let many = Set((0..<10_000).map { _ in Identifier.make("x") })
        #expect(many.count == 10_000)
    }
}
