"""Every RPC method of the generated modules, derived at import from their descriptors: message classes,
streaming shape and whether the ``.proto`` marks it safe to repeat (``idempotency_level``). The retry policy reads
``idempotent`` from here, so the table can never drift from proto/."""

from __future__ import annotations

import importlib
import pathlib
from dataclasses import dataclass
from typing import Dict, Optional, Type

from google.protobuf import descriptor_pb2, message_factory
from google.protobuf.message import Message

__all__ = ["MethodInfo", "METHODS", "method_info", "is_idempotent"]

_SAFE_LEVELS = (descriptor_pb2.MethodOptions.NO_SIDE_EFFECTS, descriptor_pb2.MethodOptions.IDEMPOTENT)


@dataclass(frozen=True)
class MethodInfo:
    """One RPC method: ``path`` is ``/package.Service/Method``, as both transports name it on the wire."""

    path: str
    request_class: Type[Message]
    response_class: Type[Message]
    client_streaming: bool
    server_streaming: bool
    idempotent: bool


def _generated_modules() -> list[str]:
    """``aftersale.<package>.v1.<name>_pb2`` for every generated module shipped in this package."""
    root = pathlib.Path(__file__).parent  # the proto packages are namespace directories: walk the files
    return sorted(".".join(("aftersale",) + path.relative_to(root).with_suffix("").parts)
                  for path in root.rglob("*_pb2.py"))


def _build() -> Dict[str, MethodInfo]:
    table: Dict[str, MethodInfo] = {}
    for name in _generated_modules():
        file = importlib.import_module(name).DESCRIPTOR
        for service in file.services_by_name.values():
            for method in service.methods:
                path = f"/{service.full_name}/{method.name}"
                table[path] = MethodInfo(
                    path=path,
                    request_class=message_factory.GetMessageClass(method.input_type),
                    response_class=message_factory.GetMessageClass(method.output_type),
                    client_streaming=method.client_streaming,
                    server_streaming=method.server_streaming,
                    idempotent=method.GetOptions().idempotency_level in _SAFE_LEVELS,
                )
    return table


METHODS: Dict[str, MethodInfo] = _build()


def method_info(method: str) -> Optional[MethodInfo]:
    """The method named ``/pkg.Service/Method`` (or ``pkg.Service.Method``, or ``pkg.Service/Method``), if known."""
    path = method if method.startswith("/") else "/" + method
    if path.count("/") == 1:  # pkg.Service.Method
        service, _, name = path[1:].rpartition(".")
        path = f"/{service}/{name}"
    return METHODS.get(path)


def is_idempotent(method: str) -> bool:
    """Whether proto/ marks the method ``NO_SIDE_EFFECTS`` or ``IDEMPOTENT`` (unknown methods: False)."""
    info = method_info(method)
    return info is not None and info.idempotent
