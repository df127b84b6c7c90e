import Foundation
import RPCShared

/// Keyset ("cursor") pagination: a token remembers the sort key and id of the last row returned and which query
/// it belongs to. Pages stay stable while rows are inserted, and a token replayed with other filters is refused
/// rather than silently returning the wrong rows.
public struct PageCursor: Sendable, Hashable {
    /// The last row's sort key (e.g. created_at micros, or a name), as text.
    public var key: String
    /// The last row's id: breaks ties between equal keys.
    public var id: String

    public init(key: String, id: String) {
        self.key = key
        self.id = id
    }

    public static let defaultPageSize = 50
    public static let maxPageSize = 500

    /// The page size a request asks for: 0 → 50, above 500 → 500, negative → INVALID_ARGUMENT.
    public static func pageSize(_ page: CommonV1.PageRequest?) throws -> Int {
        let size = Int(page?.pageSize ?? 0)
        if size < 0 { throw RPCError.invalidArgument("page.page_size", "must not be negative, got \(size)") }
        return size == 0 ? defaultPageSize : min(size, maxPageSize)
    }

    /// Decodes the request's token for `query` (a stable description of the filters); nil for the first page.
    public static func decode(_ page: CommonV1.PageRequest?, query: String) throws -> PageCursor? {
        guard let token = page?.pageToken, !token.isEmpty else { return nil }
        let invalid = RPCError.invalidArgument("page.page_token", "is not a token this list returned for these filters")
        guard token.utf8.count <= 1024, let data = Base64URL.decode(token),
              let text = String(data: data, encoding: .utf8) else { throw invalid }
        let parts = text.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "1", parts[1] == fingerprint(query) else { throw invalid }
        return PageCursor(key: parts[2], id: parts[3])
    }

    /// The token for the page after this row.
    public func token(query: String) -> String {
        Base64URL.encode(["1", Self.fingerprint(query), key, id].joined(separator: "\u{1F}").utf8)
    }

    /// Fetches `size + 1` rows to learn whether there is another page; returns the page and its response.
    public static func page<Row>(_ rows: [Row], size: Int, query: String,
                                 cursor: (Row) -> PageCursor) -> (rows: [Row], page: CommonV1.PageResponse) {
        guard rows.count > size, size > 0 else { return (rows, CommonV1.PageResponse()) }
        let kept = Array(rows.prefix(size))
        return (kept, CommonV1.PageResponse(nextPageToken: cursor(kept[kept.count - 1]).token(query: query)))
    }

    /// FNV-1a over the query description: short, stable across processes and releases.
    static func fingerprint(_ query: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in query.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 36)
    }
}
