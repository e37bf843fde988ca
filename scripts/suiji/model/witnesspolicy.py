"""The genesis policy's `witnesses` member: who must cosign, how many, how early.

docs/spec/19-witnesses.md §19.2. Each witness is named by its C2SP verifier key string
(`name+hexid+base64(0x04 ‖ Ed25519 key)`, the form litewitness and other tlog witnesses
publish) and may give the URL of its `add-checkpoint` prefix. A threshold counts
*distinct keys*, so one key listed twice, or under two names, is refused here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from suiji.model.fields import EntryError, is_int
from suiji.standards.note import SIG_COSIGNATURE, NoteError, NoteVerifier, parse_vkey

DEFAULT_LEAD_SECONDS = 3600
"""A commitment's checkpoint must be cosigned at least an hour before its round."""
MAX_WITNESSES = 32
_MEMBERS = ("keys", "threshold", "lead_seconds")
_KEY_MEMBERS = ("vkey", "url")


@dataclass(frozen=True)
class WitnessKey:
    verifier: NoteVerifier
    url: str | None = None

    @property
    def name(self) -> str:
        return self.verifier.name

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"vkey": self.verifier.vkey()}
        if self.url is not None:
            out["url"] = self.url
        return out


@dataclass(frozen=True)
class WitnessPolicy:
    keys: tuple[WitnessKey, ...]
    threshold: int
    lead_seconds: int | None = None

    @property
    def lead(self) -> int:
        return DEFAULT_LEAD_SECONDS if self.lead_seconds is None else self.lead_seconds

    @classmethod
    def from_json(cls, value: object, path: str = "body.policy.witnesses") -> WitnessPolicy:
        if not isinstance(value, dict):
            raise EntryError("policy-type", path, "policy.witnesses 必须是 JSON 对象")
        for name in sorted(value):
            if name not in _MEMBERS:
                raise EntryError(
                    "policy-unknown", f"{path}.{name}", f"policy.witnesses 不允许的字段 {name}"
                )
        raw = value.get("keys")
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_WITNESSES:
            raise EntryError(
                "policy-type",
                f"{path}.keys",
                f"policy.witnesses.keys 必须是 1..{MAX_WITNESSES} 个见证人",
            )
        keys = tuple(_key(k, f"{path}.keys[{i}]") for i, k in enumerate(raw))
        if len({k.verifier.public for k in keys}) != len(keys) or len(
            {k.name for k in keys}
        ) != len(keys):
            raise EntryError(
                "witness-duplicate",
                f"{path}.keys",
                "同一见证人密钥或名称只能出现一次（门限按不同的密钥计数）",
            )
        threshold = value.get("threshold")
        if not is_int(threshold) or not 1 <= int(threshold) <= len(keys):  # type: ignore[arg-type]
            raise EntryError(
                "policy-range",
                f"{path}.threshold",
                f"policy.witnesses.threshold 必须在 1..{len(keys)} 之间",
            )
        lead = value.get("lead_seconds")
        if lead is not None and (not is_int(lead) or not 0 <= int(lead) <= 30 * 86400):
            raise EntryError(
                "policy-range",
                f"{path}.lead_seconds",
                "policy.witnesses.lead_seconds 必须在 0..2592000 之间",
            )
        return cls(keys, int(threshold), None if lead is None else int(lead))  # type: ignore[arg-type]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "keys": [k.to_json() for k in self.keys],
            "threshold": self.threshold,
        }
        if self.lead_seconds is not None:
            out["lead_seconds"] = self.lead_seconds
        return out


def _key(value: object, path: str) -> WitnessKey:
    if not isinstance(value, dict) or not isinstance(value.get("vkey"), str):
        raise EntryError("policy-type", path, "见证人必须是含 vkey 的对象")
    for name in value:
        if name not in _KEY_MEMBERS:
            raise EntryError("policy-unknown", f"{path}.{name}", f"见证人不允许的字段 {name}")
    try:
        verifier = parse_vkey(value["vkey"])
    except NoteError as exc:
        raise EntryError("witness-key", f"{path}.vkey", str(exc)) from None
    if verifier.sig_type != SIG_COSIGNATURE:
        raise EntryError(
            "witness-key", f"{path}.vkey", "见证人密钥必须是 cosignature/v1 密钥（类型字节 0x04）"
        )
    url = value.get("url")
    if url is not None and (
        not isinstance(url, str) or not url.startswith(("http://", "https://"))
    ):
        raise EntryError("policy-type", f"{path}.url", "见证人 url 必须以 http:// 或 https:// 开头")
    return WitnessKey(verifier, url)
