import RPCShared

/// Short, stable names for enum values in report tables, CSV and charts: the proto name without its enum prefix
/// (`CASE_KIND_RETURN_REFUND` → `RETURN_REFUND`). The column says which enum it is, so the prefix only adds noise;
/// values this server does not know keep their number (`UNKNOWN_12`) instead of being folded into another.
enum EnumLabel {
    static func short<E: ProtoEnum>(_ value: E, prefix: String) -> String {
        guard let name = value.protoName else { return "UNKNOWN_\(value.rawValue)" }
        return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
    }
}
