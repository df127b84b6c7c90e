import Foundation
import RPCShared

/// Base64 with the URL-safe alphabet and no padding (RFC 4648 §5), as tokens and page cursors carry it: text that
/// travels in metadata and JSON without escaping. Built on RPCShared's `Base64`; decoding accepts only this form
/// (no `+`, `/` or `=`), so one value has one spelling.
enum Base64URL {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text = Array(Base64.encode(Array(bytes)).utf8)
        while text.last == UInt8(ascii: "=") { text.removeLast() }
        for index in text.indices {
            if text[index] == UInt8(ascii: "+") { text[index] = UInt8(ascii: "-") }
            else if text[index] == UInt8(ascii: "/") { text[index] = UInt8(ascii: "_") }
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func decode(_ text: some StringProtocol) -> Data? {
        guard text.utf8.allSatisfy({ byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
            default: false
            }
        }) else { return nil }
        return Base64.decode(String(text)).map { Data($0) }
    }
}
