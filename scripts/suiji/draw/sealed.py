"""Sealed draws (暗查暗访): the secret, its hash, the sealed seed and the reveal deadline.

docs/spec/18-sealed.md. A sealed task is committed in public like any other, but its seed
also takes a secret that only its holder knows: the commitment holds the secret's hash, so
the outcome is fixed at the commitment and cannot be chosen later, yet nobody — the writer
included — can compute targets, items or team before the holder reveals the secret.
"""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime, time, timedelta

from suiji.model.fields import EntryError
from suiji.model.tasks import Disclosure, SealTerms
from suiji.shared.canonical import canonical_json, is_hex64, tagged_hex
from suiji.shared.errors import InputError
from suiji.shared.times import SHANGHAI, format_time

SECRET_TAG = "suiji/sealed-secret/v1"
SEALED_SEED_TAG = "suiji/sealed-seed/v1"
SECRET_BYTES = 32
"""256 random bits (at least 128 are required): written as 64 lower-case hex digits."""


class SecretError(InputError):
    """A secret file that is not one line of 64 lower-case hex digits."""

    code = "secret-invalid"


def new_secret() -> str:
    """A fresh secret from the operating system's CSPRNG, as 64 lower-case hex digits."""
    return secrets.token_bytes(SECRET_BYTES).hex()


def parse_secret(text: str, label: str = "密钥文件") -> str:
    """The secret in a file's text: one line of 64 lower-case hex digits (a final newline
    and surrounding blanks are tolerated, nothing else)."""
    value = text.strip()
    if not is_hex64(value):
        raise SecretError(
            f"{label}：暗查暗访密钥必须是一行 64 位小写十六进制数字（由 suiji seal 生成）",
            code="secret-invalid",
        )
    return value


def secret_hash(secret: str) -> str:
    """H("suiji/sealed-secret/v1", secret as its 64 ASCII hex digits): what the plan and
    the commitment hold. Domain-separated, so it can never equal a seed or an object id."""
    if not is_hex64(secret):
        raise SecretError("暗查暗访密钥必须是 64 位小写十六进制数字", code="secret-invalid")
    return tagged_hex(SECRET_TAG, secret.encode("ascii"))


def sealed_seed(public_seed: str, secret: str) -> str:
    """The seed of a sealed task: H("suiji/sealed-seed/v1", canonical_json({"public_seed",
    "secret"})). `public_seed` is the ordinary seed (spec §9.1) of the same commitment,
    beacon and extra inputs, so a sealed seed needs both the round and the secret."""
    if not is_hex64(public_seed) or not is_hex64(secret):
        raise SecretError("种子和密钥必须是 64 位小写十六进制数字", code="secret-invalid")
    return tagged_hex(
        SEALED_SEED_TAG, canonical_json({"public_seed": public_seed, "secret": secret})
    )


def reveal_deadline(window_end: date, disclosure_days: int) -> str:
    """The end (24:00 Beijing time) of the day `disclosure_days` calendar days after the
    window's end, as a ledger time (UTC): fixed at the commitment, never moved later."""
    day = window_end + timedelta(days=disclosure_days + 1)
    moment = datetime.combine(day, time(0, 0), tzinfo=SHANGHAI)
    return format_time(moment)


def seal_terms(
    secret_hash_hex: str | None, window_end: date, disclosure_days: int
) -> SealTerms | None:
    """A commitment's `sealed` member for a plan sealed with `secret_hash_hex` (None: not
    sealed): the hash, and the reveal deadline fixed now."""
    if secret_hash_hex is None:
        return None
    return SealTerms(secret_hash_hex, reveal_deadline(window_end, disclosure_days))


# ---------------------------------------------------------------- sealed person voids
# A person void of a sealed task before its reveal is recorded as a salted hash only; the
# reveal discloses each one (content and salt) and the replay then treats it as an ordinary
# person void recorded where its hash was (docs/spec/18-sealed.md §18.12, ADR 0053).

SEALED_VOID_TAG = "suiji/sealed-void/v1"
VOID_SALT_TAG = "suiji/sealed-void-salt/v1"
VOID_CONTENT = ("task", "team", "person", "role", "reason", "beacon")
"""A disclosed void's content: a person-void body (spec §13.5) without `draw_seq`, which
does not exist before the reveal."""


def void_salt(secret: str, commitment: str, n: int) -> str:
    """The salt of the task's `n`-th sealed void (0-based): H("suiji/sealed-void-salt/v1",
    canonical_json({"commitment", "n", "secret"})). Derived from the secret, so the holder
    keeps nothing secret besides it, and demo runs stay byte-identical; a verifier checks
    only the salted hash, never how the salt was made."""
    if not is_hex64(secret) or not is_hex64(commitment) or n < 0:
        raise SecretError("密钥和承诺哈希必须是 64 位小写十六进制数字", code="secret-invalid")
    return tagged_hex(
        VOID_SALT_TAG, canonical_json({"commitment": commitment, "n": n, "secret": secret})
    )


def sealed_void_hash(salt: str, content: dict[str, object]) -> str:
    """H("suiji/sealed-void/v1", canonical_json({"salt", "void": content})): what a
    `sealed-void` entry holds. 256 unguessable salt bits keep the few possible contents
    (a team's members times reasons) from being tried one by one."""
    if not is_hex64(salt) or tuple(sorted(content)) != tuple(sorted(VOID_CONTENT)):
        raise SecretError(
            "撤换盐值须为 64 位十六进制数字，内容须恰为人员撤换的各项", code="secret-invalid"
        )
    return tagged_hex(SEALED_VOID_TAG, canonical_json({"salt": salt, "void": content}))


def parse_disclosures(text: str, label: str) -> tuple[Disclosure, ...]:
    """The disclosures in a holder's `.voids` text: one JSON object per non-blank line, as
    `suiji void --secret` writes them (also the `voids` of a reveal request file)."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                out.append(Disclosure.from_json(json.loads(line), f"{label}:{n}"))
            except (ValueError, EntryError) as exc:
                raise InputError(
                    f"{label} 第 {n} 行不是 suiji void --secret 写出的暗查撤换：{exc}",
                    code="sealed-voids-file",
                ) from None
    return tuple(out)
