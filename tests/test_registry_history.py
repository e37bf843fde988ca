"""Registry history, fairness rules, plan sources and strict kinds, forged as an attacker would.

Every forgery is re-signed with the bureau's own key, every hash and the committed
population recomputed (tests/support/resign.py), so only the targeted change remains.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.support.bureau import DEMO_NOW
from tests.support.resign import resign

from suiji.cli.app import main
from suiji.crypto.keyfiles import load_private_key
from suiji.draw.coverage import DrawnTask
from suiji.draw.derive import derive_population
from suiji.draw.plan import plan_from_json
from suiji.draw.population import population_to_json
from suiji.ledger.append import put_object
from suiji.ledger.codec import encode_entry
from suiji.ledger.reading import get_object
from suiji.model.genesis import Genesis
from suiji.records import parse_snapshot, snapshot_from_rows
from suiji.records.fairness import id_charset_problem, id_problems, snapshot_problems
from suiji.shared.canonical import canonical_json, parse_canonical, tagged_hex
from suiji.shared.findings import Finding
from suiji.shared.times import civil_date, parse_time
from suiji.standards.checkpoint import Checkpoint, sign_checkpoint
from suiji.standards.merkle import merkle_root
from suiji.verify.checkers import default_checkers
from suiji.verify.registry import compare
from suiji.verify.verifier import verify


def report_of(root: Path) -> Any:
    return verify(
        root, now=datetime.fromisoformat(DEMO_NOW), checkers=default_checkers(), allow_demo=True
    )


def at(found: list[Finding], seq: int) -> set[str]:
    return {f.code for f in found if f.seq == seq}


# ---------------------------------------------------------------- forging helpers


def _commits(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in values if v["kind"] == "commit"]


def _rows(root: Path, commit: dict[str, Any], record: str) -> list[dict[str, Any]]:
    oid = commit["body"]["snapshots"][f"{record}_object"]
    return [dict(r) for r in parse_snapshot(get_object(root, oid))[1]]


def _put_rows(
    root: Path, values: list[dict[str, Any]], commit: dict[str, Any], record: str, rows: Any
) -> None:
    """Store the forged snapshot and recompute the commitment's population and count."""
    commit["body"]["snapshots"][f"{record}_object"] = put_object(
        root, snapshot_from_rows(record, rows)
    )
    body = commit["body"]
    plan = plan_from_json(parse_canonical(get_object(root, body["plan_object"])))
    index = values.index(commit)
    drawn = [
        DrawnTask(
            task=v["body"]["task"],
            unit=v["body"]["unit"],
            drawn_on=civil_date(parse_time(v["time"])),
            targets=tuple(v["body"]["targets"]),
        )
        for v in values[:index]
        if v["kind"] == "draw"
    ]
    population = derive_population(
        plan,
        _rows(root, commit, "enterprises"),
        as_of=date.fromisoformat(body["as_of"]),
        drawn=drawn,
        yearly_cap=Genesis.from_json(values[0]["body"]).coverage.cap,
    )
    body["population_object"] = put_object(root, canonical_json(population_to_json(population)))
    body["eligible"] = len(population.members)


def _edit(
    root: Path, values: list[dict[str, Any]], commit: dict[str, Any], record: str, fn: Any
) -> None:
    rows = _rows(root, commit, record)
    forged = fn([dict(r) for r in rows])
    assert forged != rows  # the forgery changes the committed snapshot
    _put_rows(root, values, commit, record, forged)


def _first(rows: list[dict[str, Any]], **where: Any) -> dict[str, Any]:
    return next(r for r in rows if all(r[k] == v for k, v in where.items()))


# ---------------------------------------------------------------- the forgeries


def _flip_key_unit(root: Path, values: list[dict[str, Any]]) -> None:
    """重点单位 turned off for one commitment (2026-001) and back on for the next."""

    def fn(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        _first(rows, key_unit=True, status="在册")["key_unit"] = False
        return rows

    _edit(root, values, _commits(values)[1], "enterprises", fn)


def _close_for_one_task(root: Path, values: list[dict[str, Any]]) -> None:
    """A shop marked 关闭 for one commitment and 在册 again at the next."""

    def fn(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        shop = _first(rows, key_unit=False, status="在册")
        shop.update(status="关闭", retired_on="2026-03-19", retire_reason="停业")
        return rows

    _edit(root, values, _commits(values)[2], "enterprises", fn)


def _backdated_retirement(root: Path, values: list[dict[str, Any]]) -> None:
    """The last commitment retires a shop as of a date the earlier snapshots had it 在册."""

    def fn(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        shop = _first(rows, industry="烟花爆竹零售", status="在册")
        shop.update(status="注销", retired_on="2026-01-01", retire_reason="注销登记")
        return rows

    _edit(root, values, _commits(values)[-1], "enterprises", fn)


def _drop_recusal(root: Path, values: list[dict[str, Any]]) -> None:
    _edit(root, values, _commits(values)[-1], "recusals", lambda rows: rows[1:])


def _drop_inspector(root: Path, values: list[dict[str, Any]]) -> None:
    _edit(root, values, _commits(values)[-1], "inspectors", lambda rows: rows[:-1])


def _confusable_person(root: Path, values: list[dict[str, Any]]) -> None:
    """A second ticket for one leader: ZF001 again, with a Cyrillic О."""

    def fn(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        twin = dict(_first(rows, person_id="ZF001"))
        twin.update(person_id="ZF0\u041e1", cert_no="示应急执字第9999号")
        return [*rows, twin]

    _edit(root, values, _commits(values)[-1], "inspectors", fn)


def _toml_disagrees(root: Path, values: list[dict[str, Any]]) -> None:
    """The published TOML says 5 %; the plan object that runs is unchanged."""
    commit = _commits(values)[1]
    source = get_object(root, commit["body"]["plan_source_object"])
    forged = source.replace(b'ratio = "5%"', b'ratio = "6%"')
    assert forged != source
    commit["body"]["plan_source_object"] = put_object(root, forged)


@pytest.mark.parametrize(
    ("edit", "commit_index", "code", "tag"),
    [
        (_flip_key_unit, 1, "registry-flip", "compliance"),
        (_close_for_one_task, 2, "registry-flip", "compliance"),
        (_backdated_retirement, -1, "registry-backdated", "integrity"),
        (_drop_recusal, -1, "registry-dropped", "integrity"),
        (_drop_inspector, -1, "registry-dropped", "integrity"),
        (_confusable_person, -1, "id-charset", "integrity"),
        (_toml_disagrees, 1, "plan-source", "integrity"),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)).strip("_"),
)
def test_forged_registry_and_plans_fail_verify(
    demo_copy: Path, edit: Any, commit_index: int, code: str, tag: str
) -> None:
    assert report_of(demo_copy).passes()
    changed = resign(demo_copy, edit)
    values = [
        json.loads(x) for x in (demo_copy / "ledger" / "ledger.jsonl").read_text().split("\n")[:-1]
    ]
    seq = _commits(values)[commit_index]["seq"]
    assert changed is not None
    report = report_of(demo_copy)
    found = list(report.findings)
    assert not report.passes()
    assert code in at(found, seq), found
    assert tag in {f.tag for f in found if f.seq == seq and f.code == code}
    assert "population" not in {f.code for f in found}, found  # recomputed like a forger


def test_shop_reopened_is_a_reinstatement_and_listed(demo_copy: Path) -> None:
    resign(demo_copy, _close_for_one_task)
    report = report_of(demo_copy)
    lines = (demo_copy / "ledger" / "ledger.jsonl").read_text().split("\n")[:-1]
    commits = [v for v in map(json.loads, lines) if v["kind"] == "commit"]
    assert "registry-reinstated" in at(list(report.findings), commits[3]["seq"])
    changes = report.to_json()["registry_changes"]
    status = [c for c in changes if c["column"] == "status"]
    assert [(c["old"], c["new"]) for c in status] == [("在册", "关闭"), ("关闭", "在册")]
    assert status[0]["before"]["seq"] == commits[1]["seq"]
    assert status[0]["after"] == {"seq": commits[2]["seq"], "task": commits[2]["body"]["task"]}
    assert set(status[0]) == {
        "record",
        "id",
        "column",
        "old",
        "new",
        "updated_on",
        "before",
        "after",
    }


def _append_note(root: Path) -> int:
    """A `note` appended with the bureau's key, chained and checkpointed."""
    path = root / "ledger" / "ledger.jsonl"
    lines = path.read_bytes().split(b"\n")[:-1]
    last = json.loads(lines[-1])
    key = load_private_key(root / "private" / "signing.key")
    line = encode_entry(
        seq=len(lines),
        prev=tagged_hex("suiji/entry/v1", lines[-1]),
        kind="note",
        time=last["time"],
        body={"text": "任何内容"},
        key=key,
    )
    out = [*lines, line]
    path.write_bytes(b"".join(x + b"\n" for x in out))
    origin = json.loads(lines[0])["body"]["origin"]
    cp = Checkpoint(origin, len(out), merkle_root(out))
    (root / "ledger" / "checkpoint").write_bytes(sign_checkpoint(cp, origin, key))
    (root / "ledger" / ".writer-cache.json").unlink(missing_ok=True)
    return len(lines)


def test_unknown_kind_fails_verify(demo_copy: Path) -> None:
    seq = _append_note(demo_copy)
    report = report_of(demo_copy)
    assert [(f.seq, f.tag, f.code) for f in report.findings] == [(seq, "integrity", "kind-unknown")]


def test_a_draw_signed_by_a_root_too_is_refused(demo_copy: Path) -> None:
    from suiji.crypto.ed25519 import sign_body

    root_key = load_private_key(demo_copy / "private" / "root.key")
    path = demo_copy / "ledger" / "ledger.jsonl"
    lines = path.read_bytes().split(b"\n")[:-1]
    seq = next(i for i, x in enumerate(lines) if json.loads(x)["kind"] == "draw")
    value = json.loads(lines[seq])
    value["sigs"] = sorted(
        [*value["sigs"], sign_body(root_key, value["body"]).to_json()], key=lambda s: s["key"]
    )
    lines[seq] = canonical_json(value)
    path.write_bytes(b"".join(x + b"\n" for x in lines))
    origin = json.loads(lines[0])["body"]["origin"]
    key = load_private_key(demo_copy / "private" / "signing.key")
    cp = Checkpoint(origin, len(lines), merkle_root(lines))
    (demo_copy / "ledger" / "checkpoint").write_bytes(sign_checkpoint(cp, origin, key))
    assert "signers-kind" in at(list(report_of(demo_copy).findings), seq)


# ---------------------------------------------------------------- suiji check


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for base in (root / "ledger", root / "content")
        for p in sorted(base.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def test_check_refuses_a_deleted_enterprise_row(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--root", str(demo_copy), "--now", DEMO_NOW, "check"]
    assert main(args) == 0
    capsys.readouterr()
    path = demo_copy / "content" / "records" / "enterprises.csv"
    lines = path.read_bytes().split(b"\n")
    gone = lines[5].split(b",")[0].decode("utf-8")
    path.write_bytes(b"\n".join([*lines[:5], *lines[6:]]))
    before = _files(demo_copy)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert gone in err and "删除" in err and "条目 #" in err and "suiji check" in err
    assert _files(demo_copy) == before


# ---------------------------------------------------------------- pure rules


def test_compare_is_pure_and_names_what_changed() -> None:
    row = {
        "person_id": "P1",
        "uscc": "91990101671626936L",
        "reason": "亲属",
        "registered_on": "2025-01-01",
    }
    c = compare("recusals", [row], [])
    assert c.dropped == ["P1/91990101671626936L"] and not c.changes


def test_ids_outside_ascii_and_cjk_are_refused() -> None:
    assert id_charset_problem("ZF001") is None
    assert id_charset_problem("示应急执字第0166号") is None
    assert id_charset_problem("ZF0\u041e1") is not None
    assert [c for _, c, _ in id_problems(["ZF001", "ZF0O1"])] == ["id.confusable"] * 2
    problems = snapshot_problems(
        {
            "experts": [
                {
                    "expert_id": "ZJ0\u041e1",
                    "name": "某",
                    "specialties": ["不存在的专业"],
                    "title": "",
                    "employer": "",
                    "status": "在库",
                    "retired_on": None,
                    "retire_reason": "",
                }
            ]
        }
    )
    assert {p.code for p in problems} == {"id-charset", "vocabulary"}


def test_commit_refuses_a_unit_that_is_no_inspectors_unit(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plans = demo_copy / "content" / "records" / "plans"
    text = (plans / "2026-001.toml").read_text("utf-8")
    forged = text.replace('task_id = "2026-001"', 'task_id = "2026-009"').replace(
        'unit = "监督管理股"', 'unit = "不存在股"'
    )
    assert forged.count("不存在股") == 1 and "2026-009" in forged
    (plans / "2026-009.toml").write_text(forged, "utf-8")
    before = _files(demo_copy)
    key = str(demo_copy / "private" / "signing.key")
    args = ["--root", str(demo_copy), "--now", DEMO_NOW, "commit", str(plans / "2026-009.toml")]
    assert main([*args, "--key", key, "--yes"]) == 2
    assert "所在股室" in capsys.readouterr().err
    assert _files(demo_copy) == before
