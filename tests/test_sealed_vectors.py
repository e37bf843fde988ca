"""tests/vectors/sealed.json (docs/spec/18-sealed.md): the secret's hash, the sealed seed,
the reveal deadline, and an order drawn from a sealed seed."""

from __future__ import annotations

import hashlib
from datetime import date

from tests.support import vectors
from tests.support.vectors import Case, parametrize, raised_code

from suiji.draw import sampler
from suiji.draw.sealed import (
    parse_disclosures,
    parse_secret,
    reveal_deadline,
    sealed_seed,
    sealed_void_hash,
    secret_hash,
    void_salt,
)
from suiji.shared.canonical import canonical_json


@parametrize("sealed", "secret_hash")
def test_vector_secret_hash(case: Case) -> None:
    secret = case.input["secret"]
    if case.error is not None:
        assert raised_code("sealed", lambda: secret_hash(secret)) == case.error
        return
    assert secret_hash(secret) == case.output
    by_hand = hashlib.sha256(b"suiji/sealed-secret/v1\n" + secret.encode("ascii")).hexdigest()
    assert by_hand == case.output


@parametrize("sealed", "parse_secret")
def test_vector_parse_secret(case: Case) -> None:
    text = case.input["text"]
    if case.error is not None:
        assert raised_code("sealed", lambda: parse_secret(text)) == case.error
        return
    assert parse_secret(text) == case.output


@parametrize("sealed", "sealed_seed")
def test_vector_sealed_seed(case: Case) -> None:
    pub, secret = case.input["public_seed"], case.input["secret"]
    if case.error is not None:
        assert raised_code("sealed", lambda: sealed_seed(pub, secret)) == case.error
        return
    text = canonical_json({"public_seed": pub, "secret": secret})
    assert text.decode("utf-8") == case.output["canonical_input"]
    assert sealed_seed(pub, secret) == case.output["seed"]
    assert hashlib.sha256(b"suiji/sealed-seed/v1\n" + text).hexdigest() == case.output["seed"]


@parametrize("sealed", "reveal_deadline")
def test_vector_reveal_deadline(case: Case) -> None:
    end = date.fromisoformat(case.input["window_end"])
    assert reveal_deadline(end, case.input["disclosure_days"]) == case.output


@parametrize("sealed", "order")
def test_vector_order(case: Case) -> None:
    seed = sealed_seed(case.input["public_seed"], case.input["secret"])
    assert seed == case.output["seed"]
    assert sampler.order(case.input["ids"], seed) == case.output["order"]
    for uscc, ticket in case.output["tickets"].items():
        assert sampler.ticket(seed, uscc) == ticket


def test_the_public_seed_is_the_draw_seed_vector() -> None:
    public = vectors.case("sealed", "sealed_seed_bytes").input["public_seed"]
    assert public == vectors.case("draw", "seed_with_extra").output["seed"]


def test_vectors_area_is_listed() -> None:
    assert "sealed" in vectors.AREAS


@parametrize("sealed", "void_salt")
def test_vector_void_salt(case: Case) -> None:
    i = case.input
    if case.error is not None:
        code = raised_code("sealed", lambda: void_salt(i["secret"], i["commitment"], i["n"]))
        assert code == case.error
        return
    text = canonical_json({"commitment": i["commitment"], "n": i["n"], "secret": i["secret"]})
    assert text.decode("utf-8") == case.output["canonical_input"]
    assert void_salt(i["secret"], i["commitment"], i["n"]) == case.output["salt"]
    by_hand = hashlib.sha256(b"suiji/sealed-void-salt/v1\n" + text).hexdigest()
    assert by_hand == case.output["salt"]


@parametrize("sealed", "void_hash")
def test_vector_void_hash(case: Case) -> None:
    salt, void = case.input["salt"], case.input["void"]
    if case.error is not None:
        assert raised_code("sealed", lambda: sealed_void_hash(salt, void)) == case.error
        return
    text = canonical_json({"salt": salt, "void": void})
    assert text.decode("utf-8") == case.output["canonical_input"]
    assert sealed_void_hash(salt, void) == case.output["salted"]
    assert hashlib.sha256(b"suiji/sealed-void/v1\n" + text).hexdigest() == case.output["salted"]


@parametrize("sealed", "disclosures")
def test_vector_disclosures(case: Case) -> None:
    text = case.input["text"]
    if case.error is not None:
        assert raised_code("sealed", lambda: parse_disclosures(text, "voids")) == case.error
        return
    assert [d.to_json() for d in parse_disclosures(text, "voids")] == case.output
