import AfterSaleTestSupport
@testable import CustomerService
import Foundation
import RPCShared
import Testing

/// The real `aftersale serve customer` process, driven by the real `aftersale call` CLI.
@Suite struct CustomerProcessTests {
    static func cli(_ method: String, _ json: String, _ extra: [String] = [], address: String) async throws -> CLIResult {
        try await runCall(address, "aftersale.customer.v1.CustomerService.\(method)", json, extra)
    }

    static let credit = #"{"customerId":"cus_cli","amount":{"currency":"USD","minorUnits":"2500"},"reason":"goodwill"}"#

    @Test func theServedProcessAndItsCLI() async throws {
        let directory = try TemporaryDirectory("customer-proc")
        defer { directory.remove() }
        let socket = "unix://" + directory.file("customer.sock")
        let data = directory.file("data")
        var server = try await ServiceProcess.start(["serve", "customer", "--listen", socket, "--data", data])
        do {
            let address = server.address
            let created = try await Self.cli("CreateCustomer", #"{"customerId":"cus_cli","name":"Emily Johnson","email":"emily.johnson@example.com","phone":"+1 212 555 0147","market":"US","identityDocument":"D1234567"}"#, address: address)
            #expect(created.status == 0, "\(created.stderr)")
            #expect(created.stdout.contains(#""email": "e***n@example.com""#))
            #expect(created.stdout.contains(#""timeZone": "America/New_York""#))
            #expect(!created.stdout.contains("emily.johnson") && !created.stdout.contains("5550147") && !created.stdout.contains("D1234567"))

            let credit = try await Self.cli("CreditWallet", Self.credit, ["--idempotency-key", "refund:ref_cli"], address: address)
            #expect(credit.status == 0, "\(credit.stderr)")
            let again = try await Self.cli("CreditWallet", Self.credit, ["--idempotency-key", "refund:ref_cli"], address: address)
            #expect(again.stdout == credit.stdout)
            let debit = try await Self.cli("DebitWallet", #"{"customerId":"cus_cli","amount":{"currency":"USD","minorUnits":"1050"},"reason":"order"}"#, address: address)
            #expect(debit.status == 0, "\(debit.stderr)")
            let overdraw = try await Self.cli("DebitWallet", #"{"customerId":"cus_cli","amount":{"currency":"USD","minorUnits":"2000"},"reason":"order"}"#, address: address)
            #expect(overdraw.status == StatusCode.failedPrecondition.rawValue)
            #expect(overdraw.stderr.contains("has 14.50 USD available"))
            #expect(overdraw.stderr.split(separator: "\n").count == 1)
            let wallet = try await Self.cli("GetWallet", #"{"customerId":"cus_cli"}"#, address: address)
            #expect(wallet.stdout.contains(#""minorUnits": "1450""#))
            let entries = try await Self.cli("ListWalletEntries", #"{"customerId":"cus_cli","kinds":["WALLET_ENTRY_KIND_DEBIT"]}"#, address: address)
            #expect(entries.stdout.components(separatedBy: "WALLET_ENTRY_KIND_DEBIT").count == 2)
            let expire = try await Self.cli("ExpireCredits", #"{"customerId":"cus_cli"}"#, address: address)
            #expect(expire.status == 0, "\(expire.stderr)")

            let risk = try await Self.cli("AssessReturnRisk", #"{"customerId":"cus_cli","caseId":"case_cli","kind":"CASE_KIND_REFUND_ONLY","caseValue":{"currency":"USD","minorUnits":"45000"},"units":1,"reasons":["REASON_CODE_DEFECTIVE"]}"#, address: address)
            #expect(risk.status == 0, "\(risk.stderr)")
            #expect(risk.stdout.contains("RISK_DECISION_INSPECT_FIRST"))   // new account 10 + value 15 + evidence 10 + refund-only 3.75
            let inspection = try await Self.cli("RecordInspectionOutcome", #"{"customerId":"cus_cli","caseId":"case_cli","findings":["INSPECTION_FINDING_SERIAL_MISMATCH"],"unitsInspected":1,"unitsRejected":1}"#, address: address)
            #expect(inspection.stdout.contains(#""customerMismatchTotal": "1""#))
            let stored = try await Self.cli("GetRiskAssessment", #"{"caseId":"case_cli"}"#, address: address)
            #expect(stored.stdout == risk.stdout)
            let history = try await Self.cli("GetCustomerHistory", #"{"customerId":"cus_cli"}"#, address: address)
            #expect(history.stdout.contains(#""refundOnlyCount": "1""#) && history.stdout.contains(#""inspectionMismatches": "1""#))

            let feedback = try await Self.cli("SubmitFeedback", #"{"customerId":"cus_cli","rating":5,"text":"fast refund, great support","orderId":"ord_1"}"#, address: address)
            #expect(feedback.stdout.contains("SENTIMENT_LABEL_POSITIVE"))
            let listed = try await Self.cli("ListFeedback", #"{"customerId":"cus_cli","sentiment":"SENTIMENT_LABEL_POSITIVE"}"#, address: address)
            #expect(listed.stdout.contains("fast refund, great support"))
            let updated = try await Self.cli("UpdateCustomer", #"{"customerId":"cus_cli","expectedVersion":"1","name":{"value":"Emily J."}}"#, address: address)
            #expect(updated.stdout.contains(#""version": "2""#))

            let bad = try await Self.cli("GetCustomer", #"{"customerId":"cus_missing"}"#, address: address)
            #expect(bad.status == StatusCode.notFound.rawValue)
            #expect(bad.stderr == "aftersale: NOT_FOUND: customer cus_missing does not exist\n")
            let badAmount = try await Self.cli("CreditWallet", #"{"customerId":"cus_cli","amount":{"currency":"USD","minorUnits":"-5"},"reason":"x"}"#, address: address)
            #expect(badAmount.status == StatusCode.invalidArgument.rawValue && badAmount.stderr.contains("amount"), "\(badAmount.stderr)")
            #expect(try await Self.cli("GetWallet", #"{"customerId":"cus_cli"}"#, address: address).stdout == wallet.stdout, "refused credit left the wallet alone")

            // A crash (SIGKILL) loses nothing acknowledged; the salt file is private.
            await server.kill()
            server = try await ServiceProcess.start(["serve", "customer", "--listen", socket, "--data", data])
            let afterCrash = try await Self.cli("GetCustomer", #"{"customerId":"cus_cli"}"#, address: server.address)
            #expect(afterCrash.stdout == updated.stdout)
            let walletAfter = try await Self.cli("GetWallet", #"{"customerId":"cus_cli"}"#, address: server.address)
            #expect(walletAfter.stdout == wallet.stdout)
            let attributes = try FileManager.default.attributesOfItem(atPath: data + "/" + SensitiveValueHasher.saltFileName)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
