"""Tests for suiji.beacon: round ↔ time, BLS verification, cache, fetching, the demo chain.

Each pairing check costs ~0.15 s here (one shared final exponentiation), so the tests
verify few signatures and reuse a cache where they can. Fetching is tested against
local HTTP servers on 127.0.0.1 serving the recorded genuine round — never the internet.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st
from py_ecc.bls.point_compression import compress_G2
from py_ecc.optimized_bls12_381.optimized_curve import G2, curve_order, multiply
from py_ecc.optimized_bls12_381.optimized_pairing import pairing
from tests.support import vectors
from tests.support.vectors import Case

from suiji.beacon.cache import CACHE_FORMAT, VerifiedCache, default_cache_path
from suiji.beacon.chain import (
    DEFAULT_RELAYS,
    FACT_KEYS,
    BeaconError,
    BeaconUnavailable,
    Chain,
    chain_facts,
    chain_from_facts,
    first_round_at_or_after,
    is_demo_chain,
    latest_round_at,
    randomness_of,
    round_message,
    round_time,
)
from suiji.beacon.sources import (
    demo_round,
    demo_secret_key,
    demo_sign_round,
    fetch_round,
    load_recorded,
    recorded_path,
)
from suiji.beacon.verify import verify_round
from suiji.crypto.bls import DST, decode_g1, hash_to_g1
from suiji.shared.canonical import canonical_json, tagged_hex
from suiji.shared.errors import CheckFailed, InputError, Unavailable, UsageError

QN = vectors.case("beacon", "verify_drand_quicknet_1000000")
SIG: str = QN.input["signature"]
RANDOMNESS: str = QN.output["randomness"]
ROUND: int = QN.input["round"]
NEGATED: str = vectors.case(  # the signature's negation: a valid point, not the signature
    "beacon", "verify_reject_sign_bit_flipped"
).input["signature"]
WRONG_ROUND: int = vectors.case("beacon", "verify_reject_next_round").input["round"]
DEMO_CHAIN = vectors.case("beacon", "demo_chain")
DEMO_ROUNDS: list[dict[str, Any]] = [  # {round, signature, randomness, message, round_time}
    {**c.input, **c.output}
    for c in vectors.cases("beacon", "verify")
    if c.input["chain"] == "suiji-demo" and not c.rejects
]

QUICKNET = chain_from_facts(chain_facts("drand-quicknet"))
DEMO = chain_from_facts(chain_facts("suiji-demo"))
CHAINS = {"drand-quicknet": QUICKNET, "suiji-demo": DEMO}


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache file holding the verified quicknet round (one pairing for the whole module)."""
    path = tmp_path_factory.mktemp("cache") / "beacons.json"
    assert verify_round(QUICKNET, ROUND, SIG, cache=VerifiedCache(path)) == RANDOMNESS
    return path


def copy_cache(warm: Path, tmp_path: Path) -> VerifiedCache:
    target = tmp_path / "beacons.json"
    shutil.copyfile(warm, target)
    return VerifiedCache(target)


# ---------------------------------------------------------------- chain facts


def test_chain_facts_vectors() -> None:
    for case in vectors.cases("beacon", "chain_facts"):
        assert chain_facts(case.input["chain"]) == case.output
    assert chain_facts("suiji-demo") == DEMO_CHAIN.output["facts"]
    for name in ("drand-quicknet", "suiji-demo"):
        facts = chain_facts(name)
        assert list(facts) == list(FACT_KEYS)
        assert CHAINS[name].facts() == facts
        facts["period"] = 99  # a copy: the module's facts stay untouched
        assert chain_facts(name)["period"] == 3


def test_chain_facts_unknown_name() -> None:
    with pytest.raises(UsageError, match="未知的信标链"):
        chain_facts("drand-default")


def test_package_data_matches_code() -> None:
    """The shipped data files agree with the facts pinned in code (and with the vectors)."""
    qn = json.loads(recorded_path("drand-quicknet").read_text(encoding="utf-8"))["chain"]
    assert qn["hash"] == QUICKNET.chain_hash
    assert qn["public_key"] == QUICKNET.public_key
    assert (qn["scheme"], qn["genesis_time"], qn["period"]) == (
        QUICKNET.scheme,
        QUICKNET.genesis_time,
        QUICKNET.period,
    )
    assert qn["dst"] == DST.decode()
    assert tuple(qn["relays"]) == DEFAULT_RELAYS
    demo = json.loads(recorded_path("suiji-demo").read_text(encoding="utf-8"))["chain"]
    assert demo["hash"] == DEMO.chain_hash
    assert demo["public_key"] == DEMO.public_key
    assert demo["secret_key"] == DEMO_CHAIN.output["secret_key"]


def _pk_hex(sk: int) -> str:
    z1, z2 = compress_G2(multiply(G2, sk))
    return (z1.to_bytes(48, "big") + z2.to_bytes(48, "big")).hex()


def test_demo_chain_is_derived_from_published_key() -> None:
    sk = demo_secret_key()
    assert sk == int(DEMO_CHAIN.output["secret_key"], 16)
    phrase = DEMO_CHAIN.input["secret_key_phrase"].encode()
    assert sk == int.from_bytes(hashlib.sha256(phrase).digest(), "big") % curve_order
    assert _pk_hex(sk) == DEMO.public_key
    base = {k: v for k, v in DEMO.facts().items() if k != "chain_hash"}
    assert canonical_json(base).decode() == DEMO_CHAIN.output["chain_hash_input"]
    assert tagged_hex(DEMO_CHAIN.input["chain_hash_tag"], canonical_json(base)) == DEMO.chain_hash


def _facts(**changes: Any) -> dict[str, Any]:
    facts = chain_facts("drand-quicknet")
    facts.update(changes)
    return facts


OTHER_PK = _pk_hex(7)  # a valid key nobody should use: a chain of our own, not a known one


@pytest.mark.parametrize(
    ("facts", "fragment"),
    [
        ({k: v for k, v in _facts().items() if k != "period"}, "缺少"),
        (_facts(dst="x"), "多出"),
        (_facts(public_key=QUICKNET.public_key[:-2]), "长度"),
        (_facts(public_key=QUICKNET.public_key.upper()), "小写"),
        (_facts(chain_hash="00" * 31), "长度"),
        (_facts(scheme="pedersen-bls-chained"), "不支持的方案"),
        (_facts(period=0), "period"),
        (_facts(genesis_time=True), "整数"),
        (_facts(genesis_time=-1), "genesis_time"),
        (_facts(name="Drand"), "链名"),
        # a known chain's name, hash or key with anything else changed
        (_facts(public_key=OTHER_PK), "已知链"),
        (_facts(genesis_time=1692803368), "已知链"),
        (_facts(name="my-chain"), "已知链"),
        (_facts(name="my-chain", chain_hash="11" * 32, public_key=DEMO.public_key), "已知链"),
        # keys that are not valid G2 points
        (_facts(name="x", chain_hash="11" * 32, public_key="c0" + "00" * 95), "无穷远"),
        (_facts(name="x", chain_hash="11" * 32, public_key="80" + "00" * 95), "压缩点"),
        (_facts(name="x", chain_hash="11" * 32, public_key="00" * 96), "压缩点"),
    ],
)
def test_chain_from_facts_rejects(facts: dict[str, Any], fragment: str) -> None:
    with pytest.raises(BeaconError, match=fragment):
        chain_from_facts(facts)


def test_chain_from_facts_rejects_non_dict() -> None:
    with pytest.raises(BeaconError):
        chain_from_facts([("name", "x")])  # type: ignore[arg-type]


def test_chain_from_facts_accepts_a_new_chain() -> None:
    facts = _facts(name="my-chain", chain_hash="11" * 32, public_key=OTHER_PK)
    chain = chain_from_facts(facts)
    assert chain.facts() == facts
    assert chain == Chain(**facts)
    assert not is_demo_chain(chain)


def test_is_demo_chain() -> None:
    assert is_demo_chain(chain_facts("suiji-demo"))
    assert is_demo_chain(DEMO)
    assert not is_demo_chain(chain_facts("drand-quicknet"))
    assert not is_demo_chain(QUICKNET)
    # any one identifying fact is enough: the demo key is public whatever the label
    assert is_demo_chain({"public_key": DEMO.public_key})
    assert is_demo_chain({"name": "suiji-demo"})
    assert is_demo_chain({"chain_hash": DEMO.chain_hash})
    assert not is_demo_chain("suiji-demo")
    assert not is_demo_chain(None)


# ---------------------------------------------------------------- round ↔ time


@vectors.parametrize("beacon", "round_time")
def test_round_time_vectors(case: Case) -> None:
    assert round_time(CHAINS[case.input["chain"]], case.input["round"]) == case.output


def test_verified_rounds_times() -> None:
    for case in vectors.cases("beacon", "verify"):
        if not case.rejects:
            chain = CHAINS[case.input["chain"]]
            assert round_time(chain, case.input["round"]) == case.output["round_time"]


@vectors.parametrize("beacon", "first_round")
def test_first_round_vectors(case: Case) -> None:
    assert first_round_at_or_after(CHAINS[case.input["chain"]], case.input["unix_time"]) == (
        case.output
    )


@pytest.mark.parametrize("bad", [0, -1, True, 1.0, "5", 2**53])
def test_round_time_rejects_bad_rounds(bad: Any) -> None:
    with pytest.raises(BeaconError):
        round_time(QUICKNET, bad)


@pytest.mark.parametrize("bad", [1.5, True, "1692803367", None])
def test_time_must_be_int(bad: Any) -> None:
    with pytest.raises(UsageError):
        first_round_at_or_after(QUICKNET, bad)
    with pytest.raises(UsageError):
        latest_round_at(QUICKNET, bad)


TIMES = st.integers(min_value=-(10**10), max_value=10**11)


@given(t=TIMES, name=st.sampled_from(sorted(CHAINS)))
def test_first_round_at_or_after_is_first(t: int, name: str) -> None:
    chain = CHAINS[name]
    r = first_round_at_or_after(chain, t)
    assert r >= 1
    assert round_time(chain, r) >= t
    assert r == 1 or round_time(chain, r - 1) < t


@given(t=TIMES, name=st.sampled_from(sorted(CHAINS)))
def test_latest_round_at_is_last(t: int, name: str) -> None:
    chain = CHAINS[name]
    r = latest_round_at(chain, t)
    if r == 0:
        assert t < chain.genesis_time
    else:
        assert round_time(chain, r) <= t < round_time(chain, r + 1)
    assert first_round_at_or_after(chain, t) in (r, r + 1)


@given(r=st.integers(min_value=1, max_value=10**12), name=st.sampled_from(sorted(CHAINS)))
def test_round_time_round_trips(r: int, name: str) -> None:
    chain = CHAINS[name]
    t = round_time(chain, r)
    assert first_round_at_or_after(chain, t) == r
    assert latest_round_at(chain, t) == r
    assert first_round_at_or_after(chain, t + 1) == r + 1


# ---------------------------------------------------------------- verification


def test_quicknet_round_verifies_and_caches(warm_cache: Path, tmp_path: Path) -> None:
    """The recorded genuine round verifies (in the fixture); a repeat is a cache hit."""
    assert round_message(ROUND).hex() == QN.output["message"]
    assert randomness_of(SIG) == RANDOMNESS
    assert hashlib.sha256(bytes.fromhex(SIG)).hexdigest() == RANDOMNESS
    cache = copy_cache(warm_cache, tmp_path)
    assert cache.lookup(QUICKNET, ROUND, SIG) == RANDOMNESS
    assert verify_round(QUICKNET, ROUND, SIG, cache=cache) == RANDOMNESS


def test_literal_pairing_equation() -> None:
    """The spec's equation e(G2, sig) == e(pk, H(m)), with two full pairings, as written."""
    sig_point = decode_g1(bytes.fromhex(SIG))
    h = hash_to_g1(round_message(ROUND))
    assert pairing(G2, sig_point) == pairing(QUICKNET._pk_point, h)


def test_same_signature_for_next_round_fails() -> None:
    case = vectors.case("beacon", "verify_reject_next_round")
    assert case.input["signature"] == SIG and case.input["round"] == WRONG_ROUND == ROUND + 1
    with pytest.raises(BeaconError, match="签名验证失败"):
        verify_round(QUICKNET, WRONG_ROUND, SIG)


@vectors.parametrize("beacon", "verify")
def test_verify_vectors(case: Case) -> None:
    chain, rnd, sig = CHAINS[case.input["chain"]], case.input["round"], case.input["signature"]
    if case.rejects:
        with pytest.raises(BeaconError) as err:
            verify_round(chain, rnd, sig)
        assert vectors.error_code("beacon", err.value) == case.error
        return
    assert round_message(rnd).hex() == case.output["message"]
    assert randomness_of(sig) == case.output["randomness"]
    assert verify_round(chain, rnd, sig) == case.output["randomness"]


def test_non_string_signature() -> None:
    with pytest.raises(BeaconError, match="十六进制字符串"):
        verify_round(QUICKNET, ROUND, bytes.fromhex(SIG))  # type: ignore[arg-type]


def test_demo_rounds() -> None:
    """Demo signatures match the vectors; one verifies; it fails for another round or chain."""
    assert len(DEMO_ROUNDS) >= 3
    for v in DEMO_ROUNDS:
        assert round_message(v["round"]).hex() == v["message"]
        assert demo_sign_round(v["round"]) == v["signature"]
        assert demo_round(v["round"]) == {
            "round": v["round"],
            "signature": v["signature"],
            "randomness": v["randomness"],
        }
        assert round_time(DEMO, v["round"]) == v["round_time"]
    first = DEMO_ROUNDS[0]
    with pytest.raises(BeaconError, match="签名验证失败"):
        verify_round(DEMO, first["round"] + 1, first["signature"])
    with pytest.raises(BeaconError, match="签名验证失败"):
        verify_round(QUICKNET, first["round"], first["signature"])


def test_error_classes() -> None:
    assert issubclass(BeaconError, CheckFailed) and BeaconError.code == "beacon-invalid"
    assert issubclass(BeaconUnavailable, Unavailable) and BeaconUnavailable.retryable
    assert BeaconUnavailable.code == "beacon-unavailable"


# ---------------------------------------------------------------- cache


def _rewrite(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data["entries"][0])
    path.write_text(json.dumps(data), encoding="utf-8")


def test_cache_file_format(warm_cache: Path) -> None:
    data = json.loads(warm_cache.read_text(encoding="utf-8"))
    assert data["format"] == CACHE_FORMAT
    (entry,) = data["entries"]
    assert entry["round"] == ROUND and entry["signature"] == SIG
    assert entry["randomness"] == RANDOMNESS
    assert entry["public_key"] == QUICKNET.public_key
    assert warm_cache.read_bytes() == canonical_json(data)
    assert [p.name for p in warm_cache.parent.iterdir()] == ["beacons.json"]  # no temp left


def test_cache_only_exact_triples_hit(warm_cache: Path, tmp_path: Path) -> None:
    cache = copy_cache(warm_cache, tmp_path)
    assert cache.lookup(QUICKNET, ROUND, NEGATED) is None
    assert cache.lookup(QUICKNET, ROUND + 1, SIG) is None
    assert cache.lookup(DEMO, ROUND, SIG) is None
    other = chain_from_facts(_facts(name="my-chain", chain_hash="11" * 32, public_key=OTHER_PK))
    assert cache.lookup(other, ROUND, SIG) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e.update(round=e["round"] + 1),
        lambda e: e.update(randomness="00" * 32),
        lambda e: e.update(check="00" * 32),
        lambda e: e.pop("check"),
        lambda e: e.update(round=str(e["round"] + 1)),
    ],
    ids=["round", "randomness", "check", "no-check", "round-str"],
)
def test_corrupted_entry_is_not_a_hit(warm_cache: Path, tmp_path: Path, change: Any) -> None:
    cache = copy_cache(warm_cache, tmp_path)
    _rewrite(cache.path, change)
    assert cache.lookup(QUICKNET, ROUND, SIG) is None
    assert cache.lookup(QUICKNET, ROUND + 1, SIG) is None


def test_corrupted_round_does_not_let_wrong_round_through(warm_cache: Path, tmp_path: Path) -> None:
    """An entry whose round was altered (check intact or not) never vouches for that round."""
    cache = copy_cache(warm_cache, tmp_path)
    _rewrite(cache.path, lambda e: e.update(round=WRONG_ROUND))
    with pytest.raises(BeaconError, match="签名验证失败"):
        verify_round(QUICKNET, WRONG_ROUND, SIG, cache=cache)


@pytest.mark.parametrize("content", [b"", b"not json", b"[]", b'{"format":"other"}', b"\xff"])
def test_damaged_cache_file_counts_as_empty(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "beacons.json"
    path.write_bytes(content)
    assert VerifiedCache(path).lookup(QUICKNET, ROUND, SIG) is None


def test_cache_is_repaired_and_unwritable_cache_is_harmless(tmp_path: Path) -> None:
    v = DEMO_ROUNDS[1]
    path = tmp_path / "sub" / "beacons.json"
    path.parent.mkdir()
    path.write_bytes(b"garbage")
    cache = VerifiedCache(path)
    assert verify_round(DEMO, v["round"], v["signature"], cache=cache) == v["randomness"]
    assert cache.lookup(DEMO, v["round"], v["signature"]) == v["randomness"]
    # a cache path that cannot be created: verification still succeeds (from a hit-less run)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    stuck = VerifiedCache(blocker / "beacons.json")
    other = DEMO_ROUNDS[2]
    got = verify_round(DEMO, other["round"], other["signature"], cache=stuck)
    assert got == other["randomness"]
    assert stuck.lookup(DEMO, other["round"], other["signature"]) is None


def test_default_cache_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_path() == tmp_path / "suiji" / "beacons.json"
    assert VerifiedCache().path == tmp_path / "suiji" / "beacons.json"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")  # not absolute: ignored, per XDG
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_path() == tmp_path / "home" / ".cache" / "suiji" / "beacons.json"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_path() == tmp_path / "home" / ".cache" / "suiji" / "beacons.json"


# ---------------------------------------------------------------- recorded rounds


def test_load_recorded_package_files() -> None:
    assert load_recorded(recorded_path("drand-quicknet"), chain=QUICKNET) == {ROUND: SIG}
    demo = load_recorded(recorded_path("suiji-demo"), chain=DEMO)
    assert demo == {v["round"]: v["signature"] for v in DEMO_ROUNDS}
    with pytest.raises(UsageError):
        recorded_path("nope")


def test_load_recorded_plain_list_without_randomness(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps([{"round": ROUND, "signature": SIG}]), encoding="utf-8")
    assert load_recorded(path) == {ROUND: SIG}
    assert load_recorded(str(path), chain=QUICKNET) == {ROUND: SIG}


def _rounds_file(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "r.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


GOOD = {"round": ROUND, "signature": SIG, "randomness": RANDOMNESS}


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"rounds": [dict(GOOD, randomness="00" * 32)]}, "sha256"),
        ({"rounds": [GOOD, GOOD]}, "重复"),
        ({"rounds": [dict(GOOD, previous_signature="00")]}, "键应为"),
        ({"rounds": [{"round": ROUND}]}, "键应为"),
        ({"rounds": [dict(GOOD, round=0)]}, "round"),
        ({"rounds": [dict(GOOD, round="1000000")]}, "整数"),
        ({"rounds": [dict(GOOD, signature=SIG.upper())]}, "小写"),
        ({"rounds": [dict(GOOD, randomness=RANDOMNESS[:-2])]}, "长度"),
        ({"rounds": ["x"]}, "对象"),
        ({"round": GOOD}, "rounds"),
        ("42", "对象"),
    ],
)
def test_load_recorded_rejects(tmp_path: Path, data: Any, fragment: str) -> None:
    with pytest.raises(BeaconError, match=fragment):
        load_recorded(_rounds_file(tmp_path, data))


def test_load_recorded_wrong_chain() -> None:
    with pytest.raises(BeaconError, match="不是 suiji-demo"):
        load_recorded(recorded_path("drand-quicknet"), chain=DEMO)


@pytest.mark.parametrize(
    "text", ["not json", '{"rounds": [{"round": 1.0}]}', '{"rounds": [], "rounds": []}', "NaN"]
)
def test_load_recorded_unparsable(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError, match="JSON"):
        load_recorded(_rounds_file(tmp_path, text))


def test_load_recorded_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="无法读取"):
        load_recorded(tmp_path / "absent.json")


# ---------------------------------------------------------------- fetching (local relays)


class _Relay(BaseHTTPRequestHandler):
    """Serves fixed answers: `routes` maps a path to (status, body)."""

    routes: ClassVar[dict[str, tuple[int, bytes]]] = {}

    def do_GET(self) -> None:
        status, body = self.routes.get(self.path, (404, b'{"error":"not found"}'))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(answer: dict[str, Any] | bytes, round: int = ROUND) -> Iterator[str]:
    body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
    handler = type(
        "Relay", (_Relay,), {"routes": {f"/{QUICKNET.chain_hash}/public/{round}": (200, body)}}
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def good_relay() -> Iterator[str]:
    yield from _serve(GOOD)


@pytest.fixture
def bad_sig_relay() -> Iterator[str]:
    """Serves a well-formed point that is not the signature, with consistent randomness."""
    yield from _serve(
        {
            "round": ROUND,
            "signature": NEGATED,
            "randomness": hashlib.sha256(bytes.fromhex(NEGATED)).hexdigest(),
        }
    )


@pytest.fixture
def lying_relay() -> Iterator[str]:
    """Serves the genuine signature with a randomness that is not its hash."""
    yield from _serve(dict(GOOD, randomness="00" * 32))


@pytest.fixture
def junk_relay() -> Iterator[str]:
    yield from _serve(b"<html>busy</html>")


@pytest.fixture
def wrong_round_relay() -> Iterator[str]:
    yield from _serve(dict(GOOD, round=ROUND - 1))


@pytest.fixture
def silent_relay() -> Iterator[str]:
    """Accepts connections (kernel backlog) but never answers: the client must time out."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


@pytest.fixture
def refusing_relay() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    return f"http://127.0.0.1:{port}"


def test_fetch_from_local_relay(good_relay: str, warm_cache: Path, tmp_path: Path) -> None:
    cache = copy_cache(warm_cache, tmp_path)
    got = fetch_round(QUICKNET, ROUND, relays=[good_relay + "/"], timeout=5, cache=cache)
    assert got == {"round": ROUND, "signature": SIG, "randomness": RANDOMNESS}


def test_fetch_verifies_without_cache(good_relay: str) -> None:
    got = fetch_round(QUICKNET, ROUND, relays=[good_relay], timeout=5)
    assert got["randomness"] == RANDOMNESS


def test_fetch_skips_failing_relays(
    refusing_relay: str,
    silent_relay: str,
    bad_sig_relay: str,
    lying_relay: str,
    junk_relay: str,
    wrong_round_relay: str,
    good_relay: str,
    warm_cache: Path,
    tmp_path: Path,
) -> None:
    cache = copy_cache(warm_cache, tmp_path)
    relays = [
        refusing_relay,
        silent_relay,
        bad_sig_relay,
        lying_relay,
        junk_relay,
        wrong_round_relay,
        "file:///etc/passwd",
        good_relay,
    ]
    got = fetch_round(QUICKNET, ROUND, relays=relays, timeout=0.5, cache=cache)
    assert got == {"round": ROUND, "signature": SIG, "randomness": RANDOMNESS}
    # the bad signature was never cached
    assert cache.lookup(QUICKNET, ROUND, NEGATED) is None


def test_fetch_fails_clearly_when_no_relay_answers(
    refusing_relay: str, silent_relay: str, bad_sig_relay: str, warm_cache: Path, tmp_path: Path
) -> None:
    cache = copy_cache(warm_cache, tmp_path)
    with pytest.raises(BeaconUnavailable) as info:
        fetch_round(
            QUICKNET,
            ROUND,
            relays=[refusing_relay, silent_relay, bad_sig_relay],
            timeout=0.5,
            cache=cache,
        )
    message = str(info.value)
    assert "没有任何中继给出经验证的结果" in message
    assert f"{refusing_relay}：连接被拒绝" in message
    assert f"{silent_relay}：超时" in message
    assert f"{bad_sig_relay}：返回的签名无效" in message


def test_fetch_http_error_is_reported(good_relay: str) -> None:
    with pytest.raises(BeaconUnavailable, match="HTTP 状态 404"):
        fetch_round(QUICKNET, ROUND + 1, relays=[good_relay], timeout=5)


def test_fetch_refuses_future_round(refusing_relay: str) -> None:
    with pytest.raises(BeaconUnavailable, match="才产生"):
        fetch_round(QUICKNET, ROUND, relays=[refusing_relay], now=QN.output["round_time"] - 1)


def test_fetch_needs_relays_for_other_chains() -> None:
    with pytest.raises(UsageError, match="demo_round"):
        fetch_round(DEMO, 1)
    with pytest.raises(UsageError, match="为空"):
        fetch_round(QUICKNET, ROUND, relays=[])
    with pytest.raises(UsageError, match="不是列表"):
        fetch_round(QUICKNET, ROUND, relays="https://api.drand.sh")
    with pytest.raises(UsageError, match="超时"):
        fetch_round(QUICKNET, ROUND, relays=["https://api.drand.sh"], timeout=0)


def test_cache_keeps_other_entries(warm_cache: Path, tmp_path: Path) -> None:
    cache = copy_cache(warm_cache, tmp_path)
    v = DEMO_ROUNDS[0]
    assert verify_round(DEMO, v["round"], v["signature"], cache=cache) == v["randomness"]
    assert cache.lookup(DEMO, v["round"], v["signature"]) == v["randomness"]
    assert cache.lookup(QUICKNET, ROUND, SIG) == RANDOMNESS
    assert len(json.loads(cache.path.read_text(encoding="utf-8"))["entries"]) == 2
