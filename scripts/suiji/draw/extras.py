"""Extra public inputs of a plan (`[seed] extra`): declarations, value formats, lottery times.

An extra input (a lottery number, a public dice roll) is a second source of randomness
beside drand, or the only one in a ledger without a beacon chain. It only helps if its
value is fixed before anyone can see the committed round: so each kind has one written
form, checked when the value is recorded (`suiji inputs`), and a lottery names the
official drawing whose result it is, which must fall between the commitment and the
round (docs/spec/07-plans.md §7.1.1). This module is pure: dates and times in, problems out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from suiji.shared.text import clean_text

EXTRA_KINDS = ("lottery", "dice", "other")
BEIJING = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class LotteryGame:
    """A lottery whose official results may seed a draw: when it is drawn, how it reads."""

    name: str
    draw_time: time  # Beijing time of the official drawing on its draw date
    pattern: str  # the one written form of a result
    example: str


LOTTERY_GAMES: Mapping[str, LotteryGame] = {
    "福彩3D": LotteryGame("福彩3D", time(21, 15), r"[0-9]{3}", "371"),
}
"""Games a plan may name. Others by a spec change: each needs its draw time and format."""

DICE_RE = re.compile(r"[1-6],[1-6],[1-6]")
OTHER_MAX = 200


@dataclass(frozen=True)
class ExtraInput:
    """A public random input besides drand (a lottery draw, dice), recorded before the round.

    `draw` is the lottery's issue (期号), `game` its game and `draw_date` the official date
    of that issue's drawing: all three required for kind "lottery", absent otherwise.
    """

    kind: str
    name: str
    draw: str | None = None
    note: str | None = None
    game: str | None = None
    draw_date: date | None = None

    @property
    def drawn_at(self) -> datetime | None:
        """When a lottery's result becomes public (None: not a lottery)."""
        if self.kind != "lottery" or self.game is None or self.draw_date is None:
            return None
        game = LOTTERY_GAMES[self.game]
        return datetime.combine(self.draw_date, game.draw_time, BEIJING)


class ExtraSpecError(Exception):
    """A declaration that cannot be used: message and the key it concerns."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key


# ---------------------------------------------------------------- declarations


def extra_from_toml(raw: object) -> tuple[ExtraInput, ...]:
    """The `[seed]` table of a plan file (or its JSON form, same keys) as declarations."""
    if raw is None:
        return ()
    if not isinstance(raw, dict) or set(raw) - {"extra"}:
        raise ExtraSpecError("[seed] 中只能有 extra = [ { kind = ..., name = ... }, ... ]")
    items = raw.get("extra", [])
    if not isinstance(items, list):
        raise ExtraSpecError("[seed] 的 extra 必须是列表", "extra")
    out = tuple(_one(item) for item in items)
    names = [e.name for e in out]
    if len(set(names)) != len(names):
        raise ExtraSpecError("[seed] extra 中的 name 不能重复", "extra")
    return out


_KEYS = ("kind", "name", "game", "draw", "draw_date", "note")


def _one(item: object) -> ExtraInput:
    if not isinstance(item, dict):
        raise ExtraSpecError("extra 的每一项必须是 { kind = ..., name = ... }", "extra")
    unknown = sorted(set(item) - set(_KEYS))
    if unknown:
        raise ExtraSpecError(
            f"extra 中有未知的键 {unknown[0]}（只能有 {'、'.join(_KEYS)}）", "extra"
        )
    kind = item.get("kind")
    if kind not in EXTRA_KINDS:
        raise ExtraSpecError(
            f"extra 的 kind = {kind!r} 不可用（可选：{'、'.join(EXTRA_KINDS)}）", "extra"
        )
    assert isinstance(kind, str)
    name = _text(item.get("name"), "extra 的 name ")
    note = _opt_text(item.get("note"), "extra 的 note ")
    game = _opt_text(item.get("game"), "extra 的 game（彩票名称）")
    draw = _opt_text(item.get("draw"), "extra 的 draw（期号）")
    raw_date = item.get("draw_date")
    if kind != "lottery":
        if game is not None or draw is not None or raw_date is not None:
            raise ExtraSpecError(f"只有彩票输入才有 game、draw、draw_date：“{name}”", "extra")
        return ExtraInput(kind, name, note=note)
    example = 'game = "福彩3D", draw = "2026-070", draw_date = 2026-03-16'
    if game is None or draw is None or raw_date is None:
        raise ExtraSpecError(
            f"彩票输入“{name}”必须写明彩票、期号和官方开奖日期（如 {example}）", "extra"
        )
    if game not in LOTTERY_GAMES:
        raise ExtraSpecError(
            f"彩票输入“{name}”的 game = {game!r} 不可用（可选：{'、'.join(LOTTERY_GAMES)}）",
            "extra",
        )
    return ExtraInput(kind, name, draw, note, game, _date(raw_date, name))


def _date(value: object, name: str) -> date:
    """A TOML date, or its ISO text in the plan object (one spelling: YYYY-MM-DD)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ExtraSpecError(
        f"彩票输入“{name}”的 draw_date 必须是不带引号的日期，如 draw_date = 2026-03-16", "extra"
    )


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not clean_text(value):
        raise ExtraSpecError(f'{what}必须是非空文字（写成 "..."）', "extra")
    return clean_text(value)


def _opt_text(value: object, what: str) -> str | None:
    return None if value is None else _text(value, what)


def extra_to_json(e: ExtraInput) -> dict[str, Any]:
    """The plan object's form of one declaration (`suiji/plan/v2`): every key, null if absent."""
    return {
        "kind": e.kind,
        "name": e.name,
        "game": e.game,
        "draw": e.draw,
        "draw_date": e.draw_date.isoformat() if e.draw_date else None,
        "note": e.note,
    }


def extra_from_json(raw: object) -> tuple[ExtraInput, ...]:
    """Declarations from the plan object; exactly the keys of `extra_to_json`."""
    if not isinstance(raw, list):
        raise ExtraSpecError("seed_extra 必须是列表")
    items = []
    for item in raw:
        if not isinstance(item, dict) or set(item) != set(_KEYS):
            raise ExtraSpecError(f"seed_extra 的每一项必须恰有这些键：{', '.join(sorted(_KEYS))}")
        items.append({k: v for k, v in item.items() if v is not None})
    return extra_from_toml({"extra": items})


# ---------------------------------------------------------------- values


def normalize_value(spec: ExtraInput, typed: str) -> str:
    """The one written form of what a clerk typed (full-width digits, spaces, 、 tolerated).

    Only spelling is folded, never meaning: the result still goes through `value_problem`.
    """
    text = unicodedata.normalize("NFKC", typed).strip()
    if spec.kind == "dice":
        parts = [p for p in re.split(r"[\s,、;]+", text) if p]
        return ",".join(parts)
    if spec.kind == "lottery":
        return re.sub(r"\s+", "", text)
    return clean_text(typed)


def value_problem(spec: ExtraInput, value: str) -> str | None:
    """Why `value` is not a valid recorded value of `spec` (None: it is)."""
    if spec.kind == "dice":
        if not DICE_RE.fullmatch(value):
            return f"“{spec.name}”应为三枚骰子的点数（1–6），用逗号分隔，如 3,5,6；收到 {value!r}"
        return None
    if spec.kind == "lottery":
        assert spec.game is not None
        game = LOTTERY_GAMES[spec.game]
        if not re.fullmatch(game.pattern, value):
            return f"“{spec.name}”应为{game.name}开奖号码，如 {game.example}；收到 {value!r}"
        return None
    if not value or clean_text(value) != value or len(value) > OTHER_MAX or "\n" in value:
        return f"“{spec.name}”应为一行非空文字（不超过 {OTHER_MAX} 个字符，首尾无空白）"
    return None


def lottery_window_problem(
    spec: ExtraInput, committed_at: datetime, available_at: datetime
) -> str | None:
    """A lottery drawn at or before the commitment, or not strictly before the round."""
    drawn = spec.drawn_at
    if drawn is None:
        return None
    if not committed_at < drawn < available_at:
        return (
            f"彩票输入“{spec.name}”（{spec.game} 第 {spec.draw} 期）的官方开奖时间 "
            f"{drawn.isoformat()} 必须晚于承诺时间、早于信标轮次时间 {available_at.isoformat()}"
        )
    return None
