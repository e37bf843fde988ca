"""Root-signed request files: key changes prepared offline and appended by the writer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from suiji.crypto.ed25519 import Sig, parse_sig_json, sign_body
from suiji.shared.canonical import canonical_json, parse_canonical
from suiji.shared.errors import CanonicalError, InputError, Location
from suiji.shared.files import write_atomic

# ---------------------------------------------------------------- requests (root-signed bodies)

REQUEST_TYPE = "suiji/request/v1"


@dataclass(frozen=True)
class Request:
    """A body prepared for root holders to sign offline (`suiji key sign`), then appended.

    Root signatures cover only the body, so they can be collected before anyone knows the
    entry's seq, prev or time.
    """

    kind: str
    body: dict[str, Any]
    sigs: tuple[Sig, ...] = ()

    def encode(self) -> bytes:
        return (
            canonical_json(
                {
                    "type": REQUEST_TYPE,
                    "kind": self.kind,
                    "body": self.body,
                    "sigs": [s.to_json() for s in self.sigs],
                }
            )
            + b"\n"
        )


def read_request(path: Path) -> Request:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{path}: 无法读取请求文件：{exc.strerror}",
            code="file-unreadable",
            location=Location(str(path)),
        ) from None
    if not data.endswith(b"\n"):
        raise InputError(f"{path}: 请求文件应以换行结尾")
    try:
        value = parse_canonical(data[:-1])
    except CanonicalError as exc:
        raise InputError(
            f"{path}: 请求文件不是规范 JSON：{exc}",
            code="noncanonical",
            location=Location(str(path)),
        ) from None
    if (
        not isinstance(value, dict)
        or value.get("type") != REQUEST_TYPE
        or set(value) != {"type", "kind", "body", "sigs"}
    ):
        raise InputError(f"{path}: 不是 suiji 请求文件（type 应为 {REQUEST_TYPE}）")
    if (
        value["kind"] not in ("genesis", "key")
        or not isinstance(value["body"], dict)
        or not isinstance(value["sigs"], list)
    ):
        raise InputError(
            f"{path}: 请求文件字段错误", code="request-fields", location=Location(str(path))
        )
    try:
        sigs = tuple(parse_sig_json(s, f"sigs[{i}]")[0] for i, s in enumerate(value["sigs"]))
    except ValueError as exc:
        raise InputError(
            f"{path}: {exc}", code="sig-format", location=Location(str(path), path="$.sigs")
        ) from None
    return Request(value["kind"], value["body"], sigs)


def write_request(path: Path, request: Request) -> None:
    write_atomic(path, request.encode())


def sign_request(request: Request, private: Ed25519PrivateKey) -> Request:
    """Add (or replace) this key's body signature; the request's other signatures stay."""
    sig = sign_body(private, request.body)
    sigs = sorted([s for s in request.sigs if s.key != sig.key] + [sig], key=lambda s: s.key)
    return Request(request.kind, request.body, tuple(sigs))
