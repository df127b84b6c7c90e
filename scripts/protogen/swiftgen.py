"""Swift code generation for AfterSale's messages and services (see protoc-gen-aftersale-swift)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from google.protobuf import descriptor_pb2

FD = descriptor_pb2.FieldDescriptorProto

# --- naming shared with protoc-c 1.4.1 (protoc-c/c_helpers.cc) -------------------------------------------------

_CXX_KEYWORDS = set(
    "and and_eq asm auto bitand bitor bool break case catch char class compl const const_cast continue default "
    "delete do double dynamic_cast else enum explicit extern false float for friend goto if inline int long "
    "mutable namespace new not not_eq operator or or_eq private protected public register reinterpret_cast return "
    "short signed sizeof static static_cast struct switch template this throw true try typedef typeid typename "
    "union unsigned using virtual void volatile wchar_t while xor xor_eq".split()
)


def c_to_camel(name: str) -> str:
    out, upper = [], True
    for ch in name:
        if ch == "_":
            upper = True
        elif upper:
            out.append(ch.upper())
            upper = False
        else:
            out.append(ch)
    return "".join(out)


def c_camel_to_lower(name: str) -> str:
    out, was_upper = [], True
    for ch in name:
        is_upper = ch.isupper()
        if is_upper:
            if not was_upper:
                out.append("_")
            out.append(ch.lower())
        else:
            out.append(ch)
        was_upper = is_upper
    return "".join(out)


def c_struct_name(full_name: str) -> str:
    return "__".join(c_to_camel(p) for p in full_name.split(".") if p)


def c_lower_name(full_name: str) -> str:
    return "__".join(c_camel_to_lower(p) for p in full_name.split(".") if p)


def c_field_name(name: str) -> str:
    lowered = name.lower()
    return lowered + "_" if lowered in _CXX_KEYWORDS else lowered


# --- Swift naming --------------------------------------------------------------------------------------------------

_SWIFT_KEYWORDS = set(
    "associatedtype class deinit enum extension fileprivate func import init inout internal let open operator "
    "private precedencegroup protocol public rethrows static struct subscript typealias var break case catch "
    "continue default defer do else fallthrough for guard if in repeat return throw switch where while Any as "
    "await false is nil self Self super throws true try".split()
)
# Members every generated message or enum already has: a field with one of these names gets a trailing underscore.
_RESERVED_MEMBERS = {"protoMessageName", "serializedBytes", "encodeJSON", "rawValue", "allCases", "protoName",
                     "unrecognized", "Type", "Protocol", "hashValue", "hash", "init", "self"}
_INITIALISMS = {"id": "ID", "ids": "IDs", "url": "URL", "urls": "URLs", "sku": "SKU", "skus": "SKUs"}


def swift_lower_camel(snake: str) -> str:
    parts = [p for p in snake.split("_") if p]
    if not parts:
        return "_"
    head = parts[0][0].lower() + parts[0][1:]
    tail = "".join(_INITIALISMS.get(p.lower(), p[0].upper() + p[1:]) for p in parts[1:])
    return head + tail


def swift_upper_camel(snake: str) -> str:
    return "".join(p[0].upper() + p[1:] for p in snake.split("_") if p)


def swift_ident(name: str) -> str:
    if name in _RESERVED_MEMBERS:
        return name + "_"
    return f"`{name}`" if name in _SWIFT_KEYWORDS else name


def swift_type_ident(name: str) -> str:
    return name + "_" if name in {"Type", "Protocol", "Self", "Any", "Error", "String", "Int", "Bool"} else name


def namespace_for_package(package: str) -> str:
    # Our packages drop the `aftersale.` prefix (OrderV1); the standard gRPC ones keep theirs (GRPCHealthV1), so
    # they cannot collide with ours (HealthV1, ReflectionV1).
    parts = package.split(".")
    if parts and parts[0] == "aftersale":
        parts = parts[1:]
    if not parts:
        raise ValueError(f"package {package!r} needs a name below 'aftersale'")
    return "".join({"rpc": "RPC", "grpc": "GRPC"}.get(p, swift_upper_camel(p)) for p in parts)


def swift_string_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# --- the model ------------------------------------------------------------------------------------------------------

_SCALARS = {
    FD.TYPE_DOUBLE: ("Double", "0", "double"),
    FD.TYPE_FLOAT: ("Float", "0", "float"),
    FD.TYPE_INT64: ("Int64", "0", "int64"),
    FD.TYPE_UINT64: ("UInt64", "0", "uint64"),
    FD.TYPE_INT32: ("Int32", "0", "int32"),
    FD.TYPE_FIXED64: ("UInt64", "0", "uint64"),
    FD.TYPE_FIXED32: ("UInt32", "0", "uint32"),
    FD.TYPE_BOOL: ("Bool", "false", "bool"),
    FD.TYPE_STRING: ("String", '""', "string"),
    FD.TYPE_BYTES: ("[UInt8]", "[]", "bytes"),
    FD.TYPE_UINT32: ("UInt32", "0", "uint32"),
    FD.TYPE_SFIXED32: ("Int32", "0", "int32"),
    FD.TYPE_SFIXED64: ("Int64", "0", "int64"),
    FD.TYPE_SINT32: ("Int32", "0", "int32"),
    FD.TYPE_SINT64: ("Int64", "0", "int64"),
}

TIMESTAMP = "aftersale.common.v1.Timestamp"


@dataclass
class EnumInfo:
    full_name: str
    swift_name: str
    proto: descriptor_pb2.EnumDescriptorProto
    comment: str = ""

    def cases(self) -> list[tuple[str, int, str]]:
        """(swift case name, number, proto name) for each distinct number, first name wins."""
        prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", self.proto.name).upper() + "_"
        seen, out = set(), []
        for v in self.proto.value:
            if v.number in seen:
                continue
            seen.add(v.number)
            short = v.name[len(prefix):] if v.name.startswith(prefix) and len(v.name) > len(prefix) else v.name
            case = swift_lower_camel(short.lower())
            if case[0].isdigit():
                case = "_" + case
            if case == "unrecognized":
                raise ValueError(f"{self.full_name}: the value name {v.name} clashes with the generated 'unrecognized' case")
            if case in _RESERVED_MEMBERS:
                case += "_"
            elif case in _SWIFT_KEYWORDS:
                case = f"`{case}`"
            out.append((case, v.number, v.name))
        return out


@dataclass
class MessageInfo:
    full_name: str
    swift_name: str
    c_struct: str
    c_lower: str
    proto: descriptor_pb2.DescriptorProto
    package: str
    comment: str = ""
    is_map_entry: bool = False
    nested_names: set = field(default_factory=set)


@dataclass
class FieldInfo:
    proto: descriptor_pb2.FieldDescriptorProto
    swift: str            # Swift property name (maybe backticked)
    c: str                # C member name
    json: str             # proto3 JSON name
    kind: str             # scalar | enum | message | map
    repeated: bool
    swift_type: str       # element type for repeated, value type otherwise
    oneof: int | None
    boxed: bool = False
    map_key: "FieldInfo | None" = None
    map_value: "FieldInfo | None" = None
    comment: str = ""

    @property
    def number(self) -> int:
        return self.proto.number

    @property
    def type(self) -> int:
        return self.proto.type

    @property
    def type_name(self) -> str:
        return self.proto.type_name.lstrip(".")


class Generator:
    def __init__(self, request):
        self.request = request
        self.params = dict(p.split("=", 1) for p in request.parameter.split(",") if "=" in p)
        self.messages: dict[str, MessageInfo] = {}
        self.enums: dict[str, EnumInfo] = {}
        self.by_name = {f.name: f for f in request.proto_file}
        for f in request.proto_file:
            ns = namespace_for_package(f.package)
            comments = self._comments(f)
            for i, m in enumerate(f.message_type):
                self._index_message(f, m, f.package + "." + m.name, ns + "." + swift_type_ident(m.name), comments, (4, i))
            for i, e in enumerate(f.enum_type):
                self.enums[f.package + "." + e.name] = EnumInfo(f.package + "." + e.name, ns + "." + swift_type_ident(e.name), e,
                                                               comments.get((5, i), ""))
        self.cyclic_edges = self._find_cycles()

    # -- indexing

    @staticmethod
    def _comments(f) -> dict:
        out = {}
        for loc in f.source_code_info.location:
            text = loc.leading_comments.strip()
            if text:
                out[tuple(loc.path)] = text
        return out

    def _index_message(self, f, m, full, swift, comments, path):
        info = MessageInfo(full, swift, c_struct_name(full), c_lower_name(full), m, f.package,
                           comments.get(path, ""), m.options.map_entry)
        info.nested_names = {n.name for n in m.nested_type} | {e.name for e in m.enum_type}
        self.messages[full] = info
        for i, n in enumerate(m.nested_type):
            self._index_message(f, n, full + "." + n.name, swift + "." + swift_type_ident(n.name), comments, path + (3, i))
        for i, e in enumerate(m.enum_type):
            self.enums[full + "." + e.name] = EnumInfo(full + "." + e.name, swift + "." + swift_type_ident(e.name), e,
                                                      comments.get(path + (4, i), ""))
        for i, fld in enumerate(m.field):
            if fld.proto3_optional:
                raise ValueError(f"{full}.{fld.name}: proto3 'optional' is not supported by protoc-c 1.4.1; use a wrapper message")
            if fld.type == FD.TYPE_GROUP:
                raise ValueError(f"{full}.{fld.name}: groups are not supported")

    def _find_cycles(self) -> set:
        """Edges (message, field number) of singular message fields that close a cycle: those are boxed in Swift."""
        graph = {}
        for name, info in self.messages.items():
            graph[name] = [(fl.number, fl.type_name.lstrip(".")) for fl in info.proto.field
                           if fl.type == FD.TYPE_MESSAGE and fl.label != FD.LABEL_REPEATED]
        # Tarjan's strongly connected components.
        index, low, stack, on_stack, comp = {}, {}, [], set(), {}
        counter = [0]

        def visit(v):
            index[v] = low[v] = counter[0]
            counter[0] += 1
            stack.append(v)
            on_stack.add(v)
            for _, w in graph.get(v, []):
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp[w] = v
                    if w == v:
                        break

        for v in graph:
            if v not in index:
                visit(v)
        return {(v, num) for v, edges in graph.items() for num, w in edges if comp.get(w) == comp[v]}

    def field_info(self, msg: MessageInfo, fl, comment="") -> FieldInfo:
        repeated = fl.label == FD.LABEL_REPEATED
        oneof = fl.oneof_index if fl.HasField("oneof_index") else None
        swift = swift_ident(swift_lower_camel(fl.name))
        info = FieldInfo(fl, swift, c_field_name(fl.name), fl.json_name or swift_lower_camel(fl.name), "scalar",
                         repeated, "", oneof, comment=comment)
        if fl.type == FD.TYPE_MESSAGE:
            target = self.messages[fl.type_name.lstrip(".")]
            if target.is_map_entry:
                info.kind = "map"
                key, value = target.proto.field[0], target.proto.field[1]
                info.map_key = self.field_info(target, key)
                info.map_value = self.field_info(target, value)
                info.swift_type = f"[{info.map_key.swift_type}: {info.map_value.swift_type}]"
            else:
                info.kind = "message"
                info.swift_type = target.swift_name
                info.boxed = (not repeated) and oneof is None and (msg.full_name, fl.number) in self.cyclic_edges
        elif fl.type == FD.TYPE_ENUM:
            info.kind = "enum"
            info.swift_type = self.enums[fl.type_name.lstrip(".")].swift_name
        else:
            info.swift_type = _SCALARS[fl.type][0]
        return info

    def fields(self, msg: MessageInfo) -> list[FieldInfo]:
        file = self._file_of(msg)
        comments = self._comments(file) if file else {}
        path = self._path_of(msg)
        return [self.field_info(msg, fl, comments.get(path + (2, i), "")) for i, fl in enumerate(msg.proto.field)]

    def _file_of(self, msg):
        for f in self.request.proto_file:
            if f.package == msg.package:
                for top in f.message_type:
                    if msg.full_name == f.package + "." + top.name or msg.full_name.startswith(f.package + "." + top.name + "."):
                        return f
        return None

    def _path_of(self, msg) -> tuple:
        f = self._file_of(msg)
        rel = msg.full_name[len(f.package) + 1:].split(".")
        path, container = (), f.message_type
        for depth, part in enumerate(rel):
            idx = [m.name for m in container].index(part)
            path += ((4 if depth == 0 else 3), idx)
            container = container[idx].nested_type
        return path

    def default_value(self, f: FieldInfo) -> str:
        if f.repeated:
            return "[:]" if f.kind == "map" else "[]"
        if f.kind == "message":
            return "nil"
        if f.kind == "enum":
            return "." + self._enum_default_case(f)
        return _SCALARS[f.type][1]

    def _enum_default_case(self, f: FieldInfo) -> str:
        return self.enums[f.type_name].cases()[0][0]

    def property_type(self, f: FieldInfo) -> str:
        if f.kind == "map":
            return f.swift_type
        if f.repeated:
            return f"[{f.swift_type}]"
        if f.kind == "message":
            return f.swift_type + "?"
        return f.swift_type

    # -- output

    def files(self) -> Iterator[tuple[str, str]]:
        generated = [self.by_name[name] for name in self.request.file_to_generate]
        for f in generated:
            yield f"{namespace_for_package(f.package)}.pb.swift", self.swift_file(f)
        yield "ProtoRegistry.pb.swift", self.registry(generated)
        if "testsupport" in self.params:
            yield self.params["testsupport"] + "/Arbitrary.pb.swift", self.arbitrary(generated)

    def header(self, source: str) -> list[str]:
        return [
            f"// Generated by scripts/protogen from {source}. DO NOT EDIT: change the .proto and run scripts/gen-proto.",
            "// swiftlint:disable all",
            "",
        ]

    def swift_file(self, f) -> str:
        ns = namespace_for_package(f.package)
        out = self.header(f.name)
        out += ["internal import CProtobuf", "internal import CProtobufC", ""]
        out += [f"/// Types of the protobuf package `{f.package}` ({f.name}).", f"public enum {ns} {{}}", ""]
        comments = self._comments(f)
        for i, e in enumerate(f.enum_type):
            self.emit_enum(out, self.enums[f.package + "." + e.name])
        for m in f.message_type:
            self.emit_message_tree(out, self.messages[f.package + "." + m.name])
        for i, s in enumerate(f.service):
            self.emit_service(out, f, s, ns, comments.get((6, i), ""))
        return "\n".join(out).rstrip() + "\n"

    def emit_message_tree(self, out, msg: MessageInfo):
        if msg.is_map_entry:
            self.emit_c_conversion(out, msg)
            return
        self.emit_message(out, msg)
        for e in msg.proto.enum_type:
            self.emit_enum(out, self.enums[msg.full_name + "." + e.name])
        for n in msg.proto.nested_type:
            self.emit_message_tree(out, self.messages[msg.full_name + "." + n.name])

    @staticmethod
    def doc(out, comment, indent=""):
        for line in comment.splitlines():
            out.append(f"{indent}/// {line.strip()}".rstrip())

    def emit_enum(self, out, e: EnumInfo):
        parent, name = e.swift_name.rsplit(".", 1)
        cases = e.cases()
        out.append(f"extension {parent} {{")
        self.doc(out, e.comment, "  ")
        out.append(f"  public enum {name}: ProtoEnum {{")
        for case, number, proto_name in cases:
            out.append(f"    case {case} // {proto_name} = {number}")
        out.append("    /// A value this version of the schema does not know; kept so that it survives a round trip.")
        out.append("    case unrecognized(Int32)")
        out.append("")
        out.append("    public init(rawValue: Int32) {")
        out.append("      switch rawValue {")
        for case, number, _ in cases:
            out.append(f"      case {number}: self = .{case}")
        out.append("      default: self = .unrecognized(rawValue)")
        out.append("      }")
        out.append("    }")
        out.append("")
        out.append("    public var rawValue: Int32 {")
        out.append("      switch self {")
        for case, number, _ in cases:
            out.append(f"      case .{case}: return {number}")
        out.append("      case .unrecognized(let value): return value")
        out.append("      }")
        out.append("    }")
        out.append("")
        out.append("    public static let allCases: [Self] = [" + ", ".join("." + c for c, _, _ in cases) + "]")
        out.append("")
        out.append("    public var protoName: String? {")
        out.append("      switch self {")
        for case, _, proto_name in cases:
            out.append(f"      case .{case}: return {swift_string_literal(proto_name)}")
        out.append("      case .unrecognized: return nil")
        out.append("      }")
        out.append("    }")
        out.append("")
        out.append("    public init?(protoName: String) {")
        out.append("      switch protoName {")
        for v in e.proto.value:
            out.append(f"      case {swift_string_literal(v.name)}: self.init(rawValue: {v.number})")
        out.append("      default: return nil")
        out.append("      }")
        out.append("    }")
        out.append("  }")
        out.append("}")
        out.append("")

    def oneof_type_name(self, msg: MessageInfo, oneof_name: str) -> str:
        base = swift_upper_camel(oneof_name)
        return base + "Choice" if base in msg.nested_names or base in {"Type", "Protocol"} else base

    def emit_message(self, out, msg: MessageInfo):
        parent, name = msg.swift_name.rsplit(".", 1)
        fields = self.fields(msg)
        plain = [f for f in fields if f.oneof is None]
        oneofs = [(i, o.name, [f for f in fields if f.oneof == i]) for i, o in enumerate(msg.proto.oneof_decl)]
        out.append(f"extension {parent} {{")
        self.doc(out, msg.comment, "  ")
        out.append(f"  public struct {name}: ProtoMessage {{")
        out.append(f"    public static let protoMessageName = {swift_string_literal(msg.full_name)}")
        schema = ", ".join(
            f"({f.number}, {swift_string_literal(f.proto.name)}, {swift_string_literal(self.field_type_label(f))})" for f in fields)
        out.append(f"    public static let protoFields: [ProtoFieldInfo] = [{schema}].map(ProtoFieldInfo.init)")
        out.append("")
        for f in plain:
            self.doc(out, f.comment, "    ")
            if f.boxed:
                out.append(f"    public var {f.swift}: {self.property_type(f)} {{")
                out.append(f"      get {{ _{f.swift.strip('`')}?.value }}")
                out.append(f"      set {{ _{f.swift.strip('`')} = newValue.map(ProtoBox.init) }}")
                out.append("    }")
                out.append(f"    private var _{f.swift.strip('`')}: ProtoBox<{f.swift_type}>? = nil")
            else:
                out.append(f"    public var {f.swift}: {self.property_type(f)} = {self.default_value(f)}")
        for _, oname, members in oneofs:
            tname = self.oneof_type_name(msg, oname)
            out.append(f"    public var {swift_ident(swift_lower_camel(oname))}: {tname}? = nil")
        for _, oname, members in oneofs:
            tname = self.oneof_type_name(msg, oname)
            indirect = "indirect " if any(f.kind == "message" and self._reaches(f.type_name, msg.full_name) for f in members) else ""
            out.append("")
            out.append(f"    public {indirect}enum {tname}: Sendable, Hashable {{")
            for f in members:
                self.doc(out, f.comment, "      ")
                out.append(f"      case {f.swift}({self.property_type(f).rstrip('?')})")
            out.append("    }")
        out.append("")
        out.append("    public init() {}")
        all_props = [(f.swift, self.property_type(f), self.default_value(f)) for f in plain]
        all_props += [(swift_ident(swift_lower_camel(o)), self.oneof_type_name(msg, o) + "?", "nil") for _, o, _ in oneofs]
        if all_props:
            out.append("")
            params = ", ".join(f"{p}: {t} = {d}" for p, t, d in all_props)
            out.append(f"    public init({params}) {{")
            for p, _, _ in all_props:
                out.append(f"      self.{p} = {p}")
            out.append("    }")
        out.append("")
        out.append("    public func serialize(into output: inout some ProtoOutput) throws { try ProtoCodec.encode(self, into: &output) }")
        out.append("    public init(serializedBytes bytes: UnsafeRawBufferPointer) throws { self = try ProtoCodec.decode(bytes) }")
        out.append("  }")
        out.append("}")
        out.append("")
        self.emit_c_conversion(out, msg, fields, oneofs)
        self.emit_json(out, msg, fields, oneofs)

    def field_type_label(self, f: FieldInfo) -> str:
        """How `aftersale describe` shows a field's type: proto spelling, e.g. `repeated aftersale.common.v1.Money`."""
        def name(fl: FieldInfo) -> str:
            if fl.kind in ("message", "enum"):
                return fl.type_name
            return FD.Type.Name(fl.type)[5:].lower()
        if f.kind == "map":
            return f"map<{name(f.map_key)}, {name(f.map_value)}>"
        label = name(f)
        if f.repeated:
            label = "repeated " + label
        if f.oneof is not None:
            label += " (oneof)"
        return label

    def _reaches(self, start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            cur = todo.pop()
            if cur == goal:
                return True
            if cur in seen or cur not in self.messages:
                continue
            seen.add(cur)
            todo += [fl.type_name.lstrip(".") for fl in self.messages[cur].proto.field
                     if fl.type == FD.TYPE_MESSAGE and fl.label != FD.LABEL_REPEATED]
        return False

    # -- C conversion

    def emit_c_conversion(self, out, msg: MessageInfo, fields=None, oneofs=None):
        if msg.is_map_entry:
            return  # map entries are written and read inline by their containing message
        out.append(f"extension {msg.swift_name}: CProtoMessage {{")
        out.append(f"  typealias CStruct = {msg.c_struct}")
        out.append(f"  nonisolated(unsafe) static let cDescriptor = ProtoCodec.descriptor(of: {msg.c_lower}__init)")
        out.append(f"  static func cInit(_ c: UnsafeMutablePointer<CStruct>) {{ {msg.c_lower}__init(c) }}")
        out.append("")
        out.append("  func cWrite(_ c: UnsafeMutablePointer<CStruct>, _ arena: inout CArena) throws {")
        for f in fields:
            if f.oneof is None:
                out += ["    " + line for line in self.c_write_field(f, self._value_expr(f), "c.pointee")]
        for i, oname, members in oneofs:
            prop = swift_ident(swift_lower_camel(oname))
            out.append(f"    switch self.{prop} {{")
            for f in members:
                out.append(f"    case .{f.swift}(let v)?:")
                out.append(f"      c.pointee.{c_field_name(oname)}_case = .init(rawValue: {f.number})")
                out += ["      " + line for line in self.c_write_field(f, "v", "c.pointee", in_oneof=True)]
            out.append("    case nil: break")
            out.append("    }")
        if not fields:
            out.append("    _ = c")
        out.append("  }")
        out.append("")
        out.append("  init(cRead c: UnsafePointer<CStruct>) throws {")
        out.append("    self.init()")
        for f in fields:
            if f.oneof is None:
                out.append(f"    self.{f.swift} = {self.c_read_expr(f, 'c.pointee')}")
        for i, oname, members in oneofs:
            prop = swift_ident(swift_lower_camel(oname))
            out.append(f"    switch c.pointee.{c_field_name(oname)}_case.rawValue {{")
            for f in members:
                out.append(f"    case {f.number}: self.{prop} = .{f.swift}({self.c_read_expr(f, 'c.pointee', in_oneof=True)})")
            out.append("    default: break")
            out.append("    }")
        out.append("  }")
        out.append("}")
        out.append("")

    def _value_expr(self, f: FieldInfo) -> str:
        return f"self.{f.swift}"

    def c_write_field(self, f: FieldInfo, value: str, target: str, in_oneof=False) -> list[str]:
        t, c = f.type, f"{target}.{f.c}"
        name = swift_string_literal(f.proto.name)
        if f.kind == "map":
            entry = self.messages[f.type_name]
            return [
                f"{target}.n_{f.c} = {value}.count",
                f"{c} = try arena.mapEntries({value}, {entry.c_lower}__init) {{ k, v, e, arena in",
            ] + ["  " + l for l in self.c_write_field(f.map_key, "k", "e.pointee", in_oneof=True)] \
              + ["  " + l for l in self.c_write_field(f.map_value, "v", "e.pointee", in_oneof=True)] + ["}"]
        if f.repeated:
            head = f"{target}.n_{f.c} = {value}.count"
            if f.kind == "message":
                return [head, f"{c} = try arena.messages({value})"]
            if f.kind == "enum":
                return [head, f"{c} = arena.enums({value})"]
            if t == FD.TYPE_STRING:
                return [head, f"{c} = try arena.strings({value}, field: {name})"]
            if t == FD.TYPE_BYTES:
                return [head, f"{c} = arena.byteArrays({value})"]
            if t == FD.TYPE_BOOL:
                return [head, f"{c} = arena.bools({value})"]
            return [head, f"{c} = arena.scalars({value})"]
        if f.kind == "message":
            if in_oneof:
                return [f"{c} = try arena.message({value})"]
            access = f"self._{f.swift.strip('`')}?.value" if f.boxed else value
            return [f"if let m = {access} {{ {c} = try arena.message(m) }}"]
        if f.kind == "enum":
            return [f"{c} = .init(rawValue: .init(truncatingIfNeeded: {value}.rawValue))"]
        if t == FD.TYPE_STRING:
            return [f"{c} = try arena.string({value}, field: {name})"]
        if t == FD.TYPE_BYTES:
            return [f"{c} = arena.bytes({value})"]
        if t == FD.TYPE_BOOL:
            return [f"{c} = {value} ? 1 : 0"]
        return [f"{c} = {value}"]

    def c_read_expr(self, f: FieldInfo, source: str, in_oneof=False) -> str:
        t, c = f.type, f"{source}.{f.c}"
        if f.kind == "map":
            key = self.c_read_expr(f.map_key, "e")
            value = self.c_read_expr(f.map_value, "e")
            if f.map_value.kind == "message":
                value = f"try e.value.map {{ try {f.map_value.swift_type}(cRead: $0) }} ?? {f.map_value.swift_type}()"
            return f"try ProtoCodec.map({c}, {source}.n_{f.c}) {{ e in ({key}, {value}) }}"
        if f.repeated:
            n = f"{source}.n_{f.c}"
            if f.kind == "message":
                return f"try ProtoCodec.messages({c}, {n})"
            if f.kind == "enum":
                return f"ProtoCodec.enums({c}, {n})"
            if t == FD.TYPE_STRING:
                return f"try ProtoCodec.strings({c}, {n}, field: {swift_string_literal(f.proto.name)})"
            if t == FD.TYPE_BYTES:
                return f"ProtoCodec.byteArrays({c}, {n})"
            if t == FD.TYPE_BOOL:
                return f"ProtoCodec.bools({c}, {n})"
            return f"ProtoCodec.scalars({c}, {n})"
        if f.kind == "message":
            if in_oneof:
                return f"try {f.swift_type}(cRead: {c})"
            return f"try {c}.map {{ try {f.swift_type}(cRead: $0) }}"
        if f.kind == "enum":
            return f".init(rawValue: Int32(truncatingIfNeeded: {c}.rawValue))"
        if t == FD.TYPE_STRING:
            return f"try ProtoCodec.string({c}, field: {swift_string_literal(f.proto.name)})"
        if t == FD.TYPE_BYTES:
            return f"ProtoCodec.bytes({c})"
        if t == FD.TYPE_BOOL:
            return f"{c} != 0"
        return c

    # -- JSON

    def json_kind(self, f: FieldInfo) -> str:
        if f.kind in ("message", "enum"):
            return f.kind
        return _SCALARS[f.type][2]

    def emit_json(self, out, msg: MessageInfo, fields, oneofs):
        out.append(f"extension {msg.swift_name} {{")
        if msg.full_name == TIMESTAMP:
            out.append("  public func encodeJSON(to json: inout JSONWriter) { json.timestamp(seconds: seconds, nanos: nanos) }")
            out.append("  public init(json: JSONValue, path: String) throws {")
            out.append("    (seconds, nanos) = try json.timestamp(path)")
            out.append("  }")
            out.append("}")
            out.append("")
            return
        out.append("  public func encodeJSON(to json: inout JSONWriter) {")
        out.append("    json.beginObject()")
        for f in fields:
            if f.oneof is None:
                out.append(f"    {self.json_write(f, self._json_value(f), omit_default=True)}")
        for i, oname, members in oneofs:
            prop = swift_ident(swift_lower_camel(oname))
            out.append(f"    switch self.{prop} {{")
            for f in members:
                out.append(f"    case .{f.swift}(let v)?: {self.json_write(f, 'v', omit_default=False)}")
            out.append("    case nil: break")
            out.append("    }")
        out.append("    json.endObject()")
        out.append("  }")
        out.append("")
        out.append("  public init(json: JSONValue, path: String) throws {")
        out.append("    self.init()")
        if fields:
            out.append("    var seen = JSONFieldSet()")
        out.append("    for (key, value) in try json.objectMembers(path) {")
        out.append("      if value.isNull { continue }")
        out.append("      switch key {")
        for f in fields:
            names = [f.json] + ([f.proto.name] if f.proto.name != f.json else [])
            labels = ", ".join(swift_string_literal(n) for n in names)
            sub = f'path + "." + {swift_string_literal(f.json)}'
            expr = self.json_read(f, "value", sub)
            mark = f"try seen.insert({f.number}, key, path); "
            if f.oneof is None:
                target = f"self.{f.swift}"
                out.append(f"      case {labels}: {mark}{target} = {expr}")
            else:
                prop = swift_ident(swift_lower_camel(msg.proto.oneof_decl[f.oneof].name))
                out.append(f"      case {labels}:")
                out.append(f"        {mark.strip()}")
                out.append(f"        if self.{prop} != nil {{ throw JSONDecodingError(path: path, message: \"more than one field of oneof '{msg.proto.oneof_decl[f.oneof].name}' is set\") }}")
                out.append(f"        self.{prop} = .{f.swift}({expr})")
        out.append("      default: throw JSONDecodingError(path: path, message: \"unknown field '\\(key)'\")")
        out.append("      }")
        out.append("    }")
        out.append("  }")
        out.append("}")
        out.append("")

    def _json_value(self, f):
        return f"self.{f.swift}"

    def json_write(self, f: FieldInfo, value: str, omit_default: bool) -> str:
        key = swift_string_literal(f.json)
        if f.kind == "map":
            return f"json.map({key}, {value}) {{ json, v in {self._json_elem(f.map_value, 'v')} }}"
        if f.repeated:
            return f"json.array({key}, {value}) {{ json, v in {self._json_elem(f, 'v')} }}"
        if f.kind == "message":
            if omit_default:
                return f"if let m = {value} {{ json.key({key}); m.encodeJSON(to: &json) }}"
            return f"json.key({key}); {value}.encodeJSON(to: &json)"
        flag = "" if omit_default else ", always: true"
        return f"json.field({key}, {value}{flag})"

    def _json_elem(self, f: FieldInfo, v: str) -> str:
        if f.kind == "message":
            return f"{v}.encodeJSON(to: &json)"
        return f"json.value({v})"

    def json_read(self, f: FieldInfo, value: str, path: str) -> str:
        if f.kind == "map":
            return f"try {value}.map({path}) {{ v, p in {self._json_read_elem(f.map_value, 'v', 'p')} }}"
        if f.repeated:
            return f"try {value}.array({path}) {{ v, p in {self._json_read_elem(f, 'v', 'p')} }}"
        return self._json_read_elem(f, value, path)

    def _json_read_elem(self, f: FieldInfo, v: str, path: str) -> str:
        if f.kind == "message":
            return f"try {f.swift_type}(json: {v}, path: {path})"
        if f.kind == "enum":
            return f"try {v}.enumValue({path}, as: {f.swift_type}.self)"
        return f"try {v}.{self.json_kind(f)}({path})"

    # -- services

    def emit_service(self, out, f, s, ns: str, comment: str):
        full = f"{f.package}.{s.name}"
        name = swift_type_ident(s.name)
        out.append(f"extension {ns} {{")
        self.doc(out, comment or f"The `{full}` service.", "  ")
        out.append(f"  public enum {name} {{")
        out.append(f"    public static let name = {swift_string_literal(full)}")
        methods = []
        for m in s.method:
            inp = self.messages[m.input_type.lstrip(".")].swift_name
            outp = self.messages[m.output_type.lstrip(".")].swift_name
            kind = {(False, False): "unary", (False, True): "serverStreaming", (True, False): "clientStreaming",
                    (True, True): "bidirectionalStreaming"}[(m.client_streaming, m.server_streaming)]
            methods.append((m, swift_lower_camel(re.sub(r"(?<!^)(?=[A-Z])", "_", m.name).lower()), inp, outp, kind))
        out.append("")
        out.append("    /// Descriptors of every method, with their full paths.")
        out.append("    public enum Method {")
        for m, fn, inp, outp, kind in methods:
            idempotent = ", idempotent: true" if m.options.idempotency_level in (1, 2) else ""
            out.append(f"      public static let {fn} = RPCMethod<{inp}, {outp}>(service: {swift_string_literal(full)}, "
                       f"method: {swift_string_literal(m.name)}, kind: .{kind}{idempotent})")
        out.append("      public static let all: [MethodDescriptor] = [" + ", ".join(f"{fn}.descriptor" for _, fn, *_ in methods) + "]")
        out.append("    }")
        out.append("")
        out.append(f"    /// A typed client for `{full}` over any transport.")
        out.append("    public struct Client: Sendable {")
        out.append("      public let transport: any ClientTransport")
        out.append("      public init(transport: any ClientTransport) { self.transport = transport }")
        for m, fn, inp, outp, kind in methods:
            out.append("")
            out.append(f"      /// `/{full}/{m.name}`")
            writer = f"requests: @escaping @Sendable (RequestWriter<{inp}>) async throws -> Void"
            if kind == "unary":
                out.append(f"      public func {fn}(_ request: {inp}, options: CallOptions = .init()) async throws -> {outp} {{")
                out.append(f"        try await transport.unary(Method.{fn}, request: request, options: options)")
            elif kind == "serverStreaming":
                out.append(f"      public func {fn}(_ request: {inp}, options: CallOptions = .init()) -> ResponseStream<{outp}> {{")
                out.append(f"        transport.serverStreaming(Method.{fn}, request: request, options: options)")
            elif kind == "clientStreaming":
                out.append(f"      public func {fn}(options: CallOptions = .init(), {writer}) async throws -> {outp} {{")
                out.append(f"        try await transport.clientStreaming(Method.{fn}, options: options, requests: requests)")
            else:
                out.append(f"      public func {fn}(options: CallOptions = .init(), {writer}) -> ResponseStream<{outp}> {{")
                out.append(f"        transport.bidirectionalStreaming(Method.{fn}, options: options, requests: requests)")
            out.append("      }")
        out.append("    }")
        out.append("")
        out.append(f"    /// What a server implements to serve `{full}`; register it with `serviceDefinition`.")
        out.append("    public protocol Handler: Sendable {")
        for m, fn, inp, outp, kind in methods:
            if kind == "unary":
                out.append(f"      func {fn}(_ request: {inp}, context: ServerContext) async throws -> {outp}")
            elif kind == "serverStreaming":
                out.append(f"      func {fn}(_ request: {inp}, responses: ResponseWriter<{outp}>, context: ServerContext) async throws")
            elif kind == "clientStreaming":
                out.append(f"      func {fn}(_ requests: RequestStream<{inp}>, context: ServerContext) async throws -> {outp}")
            else:
                out.append(f"      func {fn}(_ requests: RequestStream<{inp}>, responses: ResponseWriter<{outp}>, "
                           f"context: ServerContext) async throws")
        out.append("    }")
        out.append("  }")
        out.append("}")
        out.append("")
        out.append(f"extension {ns}.{name}.Handler {{")
        out.append("  /// This handler's methods, ready to be registered on a server.")
        out.append("  public var serviceDefinition: ServiceDefinition {")
        out.append(f"    ServiceDefinition(name: {ns}.{name}.name, methods: [")
        for m, fn, inp, outp, kind in methods:
            target = f"{ns}.{name}.Method.{fn}"
            if kind in ("unary", "clientStreaming"):
                out.append(f"      .{kind}({target}) {{ request, context in try await self.{fn}(request, context: context) }},")
            else:
                out.append(f"      .{kind}({target}) {{ request, responses, context in "
                           f"try await self.{fn}(request, responses: responses, context: context) }},")
        out.append("    ])")
        out.append("  }")
        out.append("}")
        out.append("")

    # -- registry and test support

    def registry(self, generated) -> str:
        out = self.header("every file under proto/")
        out.append("/// Every generated message type and service, by full name: what `aftersale call` and reflection use.")
        out.append("public enum ProtoRegistry {")
        out.append("  public static let messageTypes: [String: any ProtoMessage.Type] = [")
        for f in generated:
            for name, info in self.messages.items():
                if info.package == f.package and not info.is_map_entry:
                    out.append(f"    {swift_string_literal(name)}: {info.swift_name}.self,")
        out.append("  ]")
        out.append("")
        out.append("  /// Every generated enum by full name: what `aftersale describe` lists the values of.")
        out.append("  public static let enumTypes: [String: any ProtoEnum.Type] = [")
        packages = [f.package for f in generated]
        for package in packages:
            for name, info in self.enums.items():
                owner = max((p for p in packages if name.startswith(p + ".")), key=len, default=None)
                if owner == package:
                    out.append(f"    {swift_string_literal(name)}: {info.swift_name}.self,")
        out.append("  ]")
        out.append("")
        out.append("  public static let services: [String: [MethodDescriptor]] = [")
        for f in generated:
            ns = namespace_for_package(f.package)
            for s in f.service:
                out.append(f"    {swift_string_literal(f.package + '.' + s.name)}: {ns}.{swift_type_ident(s.name)}.Method.all,")
        out.append("  ]")
        out.append("}")
        return "\n".join(out) + "\n"

    def arbitrary(self, generated) -> str:
        out = self.header("every file under proto/")
        out.append("@testable import RPCShared")
        out.append("")
        out.append("/// Random values of every generated message, for round-trip property tests.")
        out.append("enum Arbitrary {")
        out.append("  static let allMessages: [any ArbitraryMessage.Type] = [")
        for f in generated:
            for name, info in self.messages.items():
                if info.package == f.package and not info.is_map_entry:
                    out.append(f"    {info.swift_name}.self,")
        out.append("  ]")
        out.append("}")
        out.append("")
        for f in generated:
            for name, info in self.messages.items():
                if info.package != f.package or info.is_map_entry:
                    continue
                fields = self.fields(info)
                out.append(f"extension {info.swift_name}: ArbitraryMessage {{")
                out.append("  static func arbitrary(_ g: inout ArbitraryGenerator, depth: Int) -> Self {")
                out.append("    var m = Self()" if fields else "    let m = Self()")
                for fl in fields:
                    if fl.oneof is not None:
                        continue
                    out.append(f"    m.{fl.swift} = {self._arbitrary_expr(fl)}")
                for i, o in enumerate(info.proto.oneof_decl):
                    members = [fl for fl in fields if fl.oneof == i]
                    prop = swift_ident(swift_lower_camel(o.name))
                    out.append(f"    switch g.int(0...{len(members)}) {{")
                    for j, fl in enumerate(members):
                        single = FieldInfo(fl.proto, fl.swift, fl.c, fl.json, fl.kind, False, fl.swift_type, None)
                        expr = self._arbitrary_expr(single, force=True)
                        out.append(f"    case {j + 1}: m.{prop} = .{fl.swift}({expr})")
                    out.append("    default: break")
                    out.append("    }")
                out.append("    return m")
                out.append("  }")
                out.append("}")
                out.append("")
        return "\n".join(out) + "\n"

    def _arbitrary_expr(self, f: FieldInfo, force=False) -> str:
        if f.kind == "map":
            return f"g.dictionary(depth: depth) {{ g in ({self._arbitrary_scalar(f.map_key)}, {self._arbitrary_elem(f.map_value)}) }}"
        if f.repeated:
            return f"g.array(depth: depth) {{ g in {self._arbitrary_elem(f)} }}"
        if f.kind == "message":
            inner = f"{f.swift_type}.arbitrary(&g, depth: depth + 1)"
            return inner if force else f"g.optionalMessage(depth: depth) {{ g in {f.swift_type}.arbitrary(&g, depth: depth + 1) }}"
        return self._arbitrary_elem(f)

    def _arbitrary_elem(self, f: FieldInfo) -> str:
        if f.kind == "message":
            return f"{f.swift_type}.arbitrary(&g, depth: depth + 1)"
        if f.kind == "enum":
            return f"g.enumValue({f.swift_type}.self)"
        return self._arbitrary_scalar(f)

    def _arbitrary_scalar(self, f: FieldInfo) -> str:
        return {"[UInt8]": "g.bytes()"}.get(f.swift_type, f"g.{f.swift_type[0].lower() + f.swift_type[1:]}()")
