import AfterSaleTestSupport
@testable import CustomerService
import Foundation
import GRDB
import RPCShared
import ServiceRuntime
import Testing

@Suite struct CustomerHandlerFeedbackTests {
    @Test func feedbackGetsSentimentKeepsTheCallersCategoryAndEmitsAnEvent() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            let feedback = try await fixture.client.submitFeedback(
                .init(customerID: "cus_anna", rating: 1, text: "收到就是坏的，太失望了", orderID: "ord_1", productID: "prd_1",
                      sku: "SKU-1", caseID: "case_1", category: .defect, categoryConfidence: 0.82),
                options: .mutating())
            #expect(feedback.id.hasPrefix("fbk_"))
            #expect(feedback.sentiment?.label == .negative)
            #expect(feedback.category == .defect && feedback.categoryConfidence == 0.82)

            let unclassified = try await fixture.client.submitFeedback(
                .init(customerID: "cus_anna", rating: 5, text: "Refund arrived fast, great service", productID: "prd_1",
                      categoryConfidence: 0.9),
                options: .mutating())
            #expect(unclassified.category == .unspecified && unclassified.categoryConfidence == 0)
            #expect(unclassified.sentiment?.label == .positive)

            let events = try await fixture.database.read { db in try Outbox.pending(db, limit: 10) }.map(\.envelope)
            #expect(events.count == 2)
            #expect(events.first?.eventType == .feedbackSubmitted)
            #expect(events.first?.aggregateID == feedback.id)
            #expect(events.first?.payload == .feedback(feedback))
            #expect(events.first?.producer == "aftersale.customer.v1.CustomerService")
        }
    }

    @Test func aReplayedSubmissionStoresOneFeedback() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            let request = CustomerV1.SubmitFeedbackRequest(customerID: "cus_anna", rating: 4, text: "ok", orderID: "ord_1")
            let first = try await fixture.client.submitFeedback(request, options: .mutating(key: "fb-1"))
            let again = try await fixture.client.submitFeedback(request, options: .mutating(key: "fb-1"))
            #expect(again == first)
            #expect(try await fixture.client.listFeedback(.init()).feedback.count == 1)
            let events = try await fixture.database.read { db in try Outbox.backlog(db) }
            #expect(events == 1)
        }
    }

    @Test func listFiltersAndPages() async throws {
        try await withCustomerService { fixture in
            try await fixture.createCustomer()
            try await fixture.createCustomer("cus_bob")
            var submitted: [CustomerV1.Feedback] = []
            for (index, rating) in [5, 1, 4, 2, 5, 3].enumerated() {
                submitted.append(try await fixture.client.submitFeedback(
                    .init(customerID: index.isMultiple(of: 2) ? "cus_anna" : "cus_bob", rating: Int32(rating),
                          productID: index < 4 ? "prd_1" : "prd_2", category: rating <= 2 ? .defect : .unspecified),
                    options: .mutating()))
                fixture.clock.advance(seconds: 60)
            }
            let all = try await fixture.client.listFeedback(.init())
            #expect(all.feedback.map(\.id) == submitted.reversed().map(\.id))

            let anna = try await fixture.client.listFeedback(.init(customerID: "cus_anna"))
            #expect(anna.feedback.map(\.rating) == [5, 4, 5])
            let lowOnProduct1 = try await fixture.client.listFeedback(.init(productID: "prd_1", maxRating: 2))
            #expect(lowOnProduct1.feedback.map(\.rating) == [2, 1])
            let negative = try await fixture.client.listFeedback(.init(sentiment: .negative))
            #expect(Set(negative.feedback.map(\.rating)) == [1, 2])
            let defects = try await fixture.client.listFeedback(.init(category: .defect))
            #expect(defects.feedback.count == 2)
            let window = try await fixture.client.listFeedback(.init(createdAfter: submitted[2].createdAt, createdBefore: submitted[4].createdAt))
            #expect(window.feedback.map(\.id) == [submitted[3].id, submitted[2].id])

            let page1 = try await fixture.client.listFeedback(.init(page: .init(pageSize: 4)))
            let page2 = try await fixture.client.listFeedback(.init(page: .init(pageSize: 4, pageToken: page1.page?.nextPageToken ?? "")))
            #expect(page1.feedback.count == 4 && page2.feedback.count == 2)
            #expect(page2.page?.nextPageToken ?? "" == "")
            #expect((page1.feedback + page2.feedback).map(\.id) == all.feedback.map(\.id))
        }
    }
}
