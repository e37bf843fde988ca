"""The floor of `suiji verify`: the same cryptography, nothing else (run by bench_verify.py).

    python benchmarks/_verify_floor.py SPEC.json PROCESSES

Reads the ledger file and every object file, computes the hashes `suiji verify` computes
(per line: the tagged entry hash and the RFC 6962 leaf hash; the Merkle interior nodes
of the frontier and the root; each object's tagged hash once) and verifies the same
Ed25519 signatures over the same messages (every line's writer signature; the genesis
and checkpoint signatures listed in SPEC). The signed message of a line is cut out of
the line with two byte searches (canonical lines put `sigs` just before the fixed-width
`time`), so no JSON is parsed. With PROCESSES = 2 a forked child verifies the second
half of the line signatures while the parent does the rest: the same work on two cores.
Imports only hashlib, base64 and `cryptography`. Prints one JSON line of counts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TIME_TAIL = len(',"time":"2026-01-01T00:00:00Z"}')


def verify_lines(pub: Ed25519PublicKey, prefix: bytes, lines: list[bytes]) -> int:
    """Verify each line's single writer signature; the number that failed."""
    failed = 0
    for line in lines:
        end = len(line) - TIME_TAIL
        start = line.rfind(b',"sigs":[', 0, end)
        s = line.index(b'"sig":"', start) + 7
        sig = base64.b64decode(line[s : line.index(b'"', s)])
        try:
            pub.verify(sig, prefix + line[:start] + line[end:])
        except InvalidSignature:
            failed += 1
    return failed


def main() -> int:
    spec = json.loads(Path(sys.argv[1]).read_text("utf-8"))
    procs = int(sys.argv[2])
    ledger = Path(spec["ledger_dir"])
    lines = (ledger / "ledger.jsonl").read_bytes().split(b"\n")[:-1]
    pub = Ed25519PublicKey.from_public_bytes(bytes.fromhex(spec["writer"]))
    prefix = spec["entry_sig_prefix"].encode()
    signed = lines[1:]  # line 0 is the genesis: its signatures are in spec["extra"]
    child = 0
    if procs == 2:
        half = len(signed) // 2
        signed, theirs = signed[:half], signed[half:]
        child = os.fork()
        if child == 0:
            os._exit(1 if verify_lines(pub, prefix, theirs) else 0)
    failed = verify_lines(pub, prefix, signed)
    for key, sig, message in spec["extra"]:
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(key)).verify(
                bytes.fromhex(sig), bytes.fromhex(message)
            )
        except InvalidSignature:
            failed += 1

    sha = hashlib.sha256
    entry_tag = spec["entry_tag"].encode() + b"\n"
    hashes = 0
    stack: list[bytes] = []
    for i, line in enumerate(lines):
        sha(entry_tag + line).digest()
        node = sha(b"\x00" + line).digest()
        hashes += 2
        size = i
        while size & 1:
            node = sha(b"\x01" + stack.pop() + node).digest()
            size >>= 1
            hashes += 1
        stack.append(node)
    root = stack[-1]
    for left in reversed(stack[:-1]):
        root = sha(b"\x01" + left + root).digest()
        hashes += 1
    object_tag = spec["object_tag"].encode() + b"\n"
    for path in (ledger / "objects").iterdir():
        sha(object_tag + path.read_bytes()).digest()
        hashes += 1
    if root.hex() != spec["root"]:
        failed += 1
    if child:
        _, status = os.waitpid(child, 0)
        failed += os.waitstatus_to_exitcode(status)
    print(json.dumps({"signatures": len(lines) - 1 + len(spec["extra"]), "hashes": hashes}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
