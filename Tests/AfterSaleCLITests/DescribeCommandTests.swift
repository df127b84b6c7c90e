import AfterSaleTestSupport
import Foundation
import Testing

/// `aftersale describe NAME` from the descriptors compiled into the binary: messages, enums, services, methods.
@Suite struct DescribeCommandTests {
    @Test func aMessageListsEveryFieldWithNumberTypeAndLabel() async throws {
        let result = try await runAfterSale(["describe", "aftersale.testing.v1.AllTypes"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "message aftersale.testing.v1.AllTypes")
        for line in ["  1  f_int32: int32 (singular)", "  16  f_enum: aftersale.testing.v1.Color (singular)",
                     "  17  f_message: aftersale.testing.v1.AllTypes.Nested (singular)", "  31  r_int32: int32 (repeated)",
                     "  51  m_string_string: map<string, string> (map)", "  61  o_string: string (oneof)"] {
            #expect(lines.contains(line), "\(line) missing in \(lines)")
        }
        #expect(lines.count == 1 + 46, "one line per field")
    }

    @Test func anEnumListsItsValuesAndNumbers() async throws {
        let result = try await runAfterSale(["describe", "aftersale.testing.v1.Color"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            enum aftersale.testing.v1.Color
              0  COLOR_UNSPECIFIED
              1  COLOR_RED
              2  COLOR_GREEN
              3  COLOR_BLUE
              -1  COLOR_NEGATIVE

            """)
        let status = try await runAfterSale(["describe", ".aftersale.order.v1.CaseStatus"])
        #expect(status.status == 0 && status.stdout.contains("  0  CASE_STATUS_UNSPECIFIED\n"), "\(status.stdout)")
    }

    @Test func aServiceAndAMethodWithoutAServer() async throws {
        let service = try await runAfterSale(["describe", "aftersale.testing.v1.Echo"])
        #expect(service.status == 0, "\(service.stderr)")
        #expect(service.stdout == """
            service aftersale.testing.v1.Echo
              Say(aftersale.testing.v1.EchoRequest) returns (aftersale.testing.v1.EchoResponse)
              Count(aftersale.testing.v1.EchoRequest) returns (stream aftersale.testing.v1.EchoResponse)
              Collect(stream aftersale.testing.v1.EchoRequest) returns (aftersale.testing.v1.EchoResponse)
              Chat(stream aftersale.testing.v1.EchoRequest) returns (stream aftersale.testing.v1.EchoResponse)

            """)
        let method = try await runAfterSale(["describe", "/aftersale.testing.v1.Echo/Count"])
        #expect(method.status == 0, "\(method.stderr)")
        #expect(method.stdout.hasPrefix("/aftersale.testing.v1.Echo/Count  server-streaming\nrequest: aftersale.testing.v1.EchoRequest\n  1  text: string (singular)"),
                "\(method.stdout)")
    }

    @Test func everyMessageAndEnumTheBinaryKnowsCanBeDescribed() async throws {
        let types = try await runAfterSale(["proto", "types"])
        let names = types.stdout.split(separator: "\n").map(String.init)
        #expect(names.count > 100)
        for name in names.filter({ $0.hasPrefix("aftersale.order.v1.") }) {
            let result = try await runAfterSale(["describe", name])
            #expect(result.status == 0 && result.stdout.hasPrefix("message \(name)\n"), "\(name): \(result.stderr)")
        }
    }
}
