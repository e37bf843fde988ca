"""Errors by cause: every error class has a stable code and one cause; the CLI alone maps
causes to exit codes; representative errors of each cause, asserted exactly."""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import suiji
from suiji.beacon.chain import DEMO, BeaconError, BeaconUnavailable, chain_facts, chain_from_facts
from suiji.beacon.sources import fetch_round
from suiji.beacon.verify import verify_round
from suiji.cli import exits
from suiji.cli.app import main
from suiji.crypto.ed25519 import from_seed
from suiji.crypto.keyfiles import demo_key, write_key_pair
from suiji.draw.planfile import load_plan
from suiji.ledger.append import append, create
from suiji.ledger.codec import LedgerError
from suiji.ledger.paths import LEDGER_FILE, ledger_dir
from suiji.ledger.reading import read_entries
from suiji.shared.canonical import parse_canonical
from suiji.shared.errors import (
    CAUSES,
    CanonicalError,
    CheckFailed,
    InputError,
    Location,
    Refusal,
    SuijiError,
    Unavailable,
    UsageError,
    cause_of,
)

ORIGIN = "example.gov.cn/suiji-errors"
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
ROOT = from_seed(bytes([1]) * 32)
SIGNING = from_seed(bytes([3]) * 32)
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def all_error_classes() -> list[type[SuijiError]]:
    """Every subclass of SuijiError in the package, after importing every module."""
    for info in pkgutil.walk_packages(suiji.__path__, "suiji."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found: list[type[SuijiError]] = []
    todo: list[type[SuijiError]] = [SuijiError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in found if c.__module__.startswith("suiji.")]


def ledger(tmp_path: Path) -> Path:
    create(tmp_path, origin=ORIGIN, roots=[ROOT], signing=SIGNING, now=T0)
    append(
        tmp_path,
        "note",
        {"n": 1},
        key=SIGNING,
        now=T0 + timedelta(minutes=1),
        clock_overridden=False,
    )
    return tmp_path


# ---------------------------------------------------------------- every class, every cause


def test_every_error_class_has_a_code_and_one_cause() -> None:
    classes = all_error_classes()
    assert {"TaskError", "RecordsInvalid", "BeaconUnavailable", "DemoFailed"} <= {
        c.__name__ for c in classes
    }
    for cls in classes:
        assert KEBAB.match(cls.code), (cls, cls.code)
        assert not hasattr(cls, "exit_code"), cls  # exit codes live in the CLI only
        if cls is not SuijiError:
            causes = [c for c in CAUSES if issubclass(cls, c)]
            assert len(causes) == 1, (cls, causes)
    concrete = [c for c in classes if c is not SuijiError and c not in CAUSES]
    codes = [c.code for c in concrete if "code" in c.__dict__]
    assert len(codes) == len(set(codes)), sorted(codes)  # class defaults are distinct
    assert all("code" in c.__dict__ for c in concrete), [
        c for c in concrete if "code" not in c.__dict__
    ]


def test_the_cli_exit_map_covers_every_cause() -> None:
    assert set(exits.EXIT_CODES) == set(CAUSES)
    assert {CheckFailed: 1, InputError: 2, Refusal: 2, Unavailable: 2} == exits.EXIT_CODES
    for cls in all_error_classes():
        if cls is not SuijiError:
            assert [exits.EXIT_CODES[c] for c in CAUSES if issubclass(cls, c)] in ([1], [2]), cls


def test_a_raise_may_narrow_the_code() -> None:
    err = InputError("坏", code="line-partial", location=Location("l.jsonl", entry=3))
    assert (err.code, str(err), err.message) == ("line-partial", "坏", "坏")
    assert str(err.location) == "l.jsonl#3"
    assert InputError("坏").code == "input-invalid" and InputError("坏").location is None
    assert str(Location("a.csv", 4, "名称")) == "a.csv:4:名称"
    assert str(Location("plan.json", path="$.team")) == "plan.json:$.team"
    with pytest.raises(TypeError):
        cause_of(SuijiError("无因"))


# ---------------------------------------------------------------- input errors


def test_input_partial_last_line_names_file_and_entry(tmp_path: Path) -> None:
    root = ledger(tmp_path)
    path = ledger_dir(root) / LEDGER_FILE
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(
        InputError,
        match=r"ledger\.jsonl: 条目 #1: 最后一行不完整（缺少换行）；运行 suiji ledger repair$",
    ) as err:
        list(read_entries(root))
    assert err.value.code == "line-partial"
    assert err.value.location == Location(str(path), entry=1)


def test_input_unreadable_plan_file(tmp_path: Path) -> None:
    missing = tmp_path / "2026-001.toml"
    with pytest.raises(
        InputError, match=r"2026-001\.toml: 无法读取计划文件（.*），请检查路径$"
    ) as err:
        load_plan(missing)
    assert err.value.code == "file-unreadable"
    assert err.value.location == Location(str(missing))


def test_input_noncanonical_json() -> None:
    with pytest.raises(CanonicalError) as err:
        parse_canonical(b'{"b":1,"a":2}')
    assert err.value.code == "noncanonical" and isinstance(err.value, InputError)


def test_input_usage_error_in_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(tmp_path), "verify"]) == 2
    assert capsys.readouterr().err == (
        f"suiji: {tmp_path / 'ledger' / LEDGER_FILE}: "
        "找不到账本文件（是否在局目录中运行？可用 --root 指定）\n"
    )
    assert issubclass(UsageError, InputError) and UsageError.code == "usage"


# ---------------------------------------------------------------- refusals


def test_refusal_append_before_init(tmp_path: Path) -> None:
    with pytest.raises(Refusal, match=r"^账本尚未初始化：请先运行 suiji init$") as err:
        append(tmp_path, "note", {}, key=SIGNING, now=T0, clock_overridden=False)
    assert err.value.code == "ledger-not-initialised"


def test_refusal_time_backwards(tmp_path: Path) -> None:
    root = ledger(tmp_path)
    with pytest.raises(
        Refusal,
        match=r"^时间倒退：现在是 2026-03-01T01:00:00Z，上一条目是 2026-03-01T02:01:00Z；请检查系统时钟$",
    ) as err:
        append(root, "note", {}, key=SIGNING, now=T0 - timedelta(hours=1), clock_overridden=False)
    assert err.value.code == "time-backwards"


def test_refusal_demo_key_in_a_real_ledger(tmp_path: Path) -> None:
    with pytest.raises(
        Refusal, match=r"是公开的演示密钥.*真实账本请用 suiji keygen 生成自己的密钥$"
    ) as err:
        create(tmp_path, origin=ORIGIN, roots=[ROOT], signing=demo_key("signing"), now=T0)
    assert err.value.code == "demo-key"


def test_refusal_exits_2_in_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = ledger(tmp_path / "bureau")
    root_key, _ = write_key_pair(tmp_path / "root", ROOT)
    signing_key, _ = write_key_pair(tmp_path / "signing", SIGNING)
    args = ["--root", str(root), "--now", "2026-03-01T03:00:00Z", "init", "--origin", ORIGIN]
    args += ["--beacon", "drand-quicknet"]
    assert main([*args, "--root-key", str(root_key), "--key", str(signing_key)]) == 2
    assert capsys.readouterr().err == "suiji: 账本已经初始化（已有创世条目），不能再次 init\n"


# ---------------------------------------------------------------- unavailable sources


def test_unavailable_round_not_yet_produced() -> None:
    chain = chain_from_facts(chain_facts(DEMO))
    with pytest.raises(
        BeaconUnavailable,
        match=r"^信标 suiji-demo 第 1000 轮：该轮要到 Unix 时间 \d+ 才产生（还差 \d+ 秒），请到时再取$",
    ) as err:
        fetch_round(chain, 1000, relays=["http://127.0.0.1:9"], now=0)
    assert err.value.code == "beacon-round-not-yet"
    assert isinstance(err.value, Unavailable) and err.value.retryable
    assert exits.exit_code(err.value) == 2


# ---------------------------------------------------------------- check failures


def test_check_failed_beacon_signature() -> None:
    chain = chain_from_facts(chain_facts(DEMO))
    with pytest.raises(
        BeaconError,
        match=r"^信标 suiji-demo 第 1 轮：签名不是 BLS12-381 G1 上的压缩点（c_flag should be 1）$",
    ) as err:
        verify_round(chain, 1, "00" * 48)
    assert err.value.code == "beacon-invalid"
    assert exits.exit_code(err.value) == 1


def test_check_failed_ledger_before_append(tmp_path: Path) -> None:
    root = ledger(tmp_path)
    path = ledger_dir(root) / LEDGER_FILE
    path.write_bytes(path.read_bytes().replace(b'"n":1', b'"n":2'))
    with pytest.raises(
        LedgerError, match=r"^账本校验未通过，未做任何修改：条目 #1 \[integrity/"
    ) as err:
        append(root, "note", {}, key=SIGNING, now=T0 + timedelta(minutes=5), clock_overridden=False)
    assert err.value.code == "ledger-invalid"
    assert exits.exit_code(err.value) == 1
