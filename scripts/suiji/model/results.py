"""Inspection results in the ledger: the salted result object and the `result` entry.

docs/spec/16-results.md. A result is published, so it must not change silently: its content
is stored as an object and the entry names the object's hash. The object carries a random
salt, because a result's content is guessable (a handful of categories, a few dates): an
unsalted hash would let anyone confirm a guess about a result after it was withdrawn. A
correction is a new `result` entry naming the entry it supersedes (`corrects_seq`); both
stay in the ledger. Withdrawal (信用修复) uses the ledger's `withdrawal` kind and names the
result objects, which may then be deleted; the entries and their hashes stay.

Codecs are strict like every body codec: members exactly, JSON types, dates `YYYY-MM-DD`,
and `to_json(from_json(x)) == x`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from suiji.model.fields import EntryError, Members

RESULT = "result"
RESULT_SCHEMA = "suiji/result/v1"
SALT_RE = re.compile(r"^[0-9a-f]{32}$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _date(m: Members, name: str, *, optional: bool = False) -> dt.date | None:
    value = m.raw(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise EntryError("bad-date", m.at(name), f"{name} 必须是 YYYY-MM-DD 形式的日期")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise EntryError("bad-date", m.at(name), f"{name} 不是有效日期：{value}") from None


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass(frozen=True)
class Penalty:
    """查处结果: the decision's number, date and content, written in full or not at all."""

    decision_no: str
    decided_on: dt.date
    content: str

    def to_json(self) -> dict[str, Any]:
        return {
            "decision_no": self.decision_no,
            "decided_on": self.decided_on.isoformat(),
            "content": self.content,
        }

    @classmethod
    def from_json(cls, value: object, path: str) -> Penalty:
        m = Members(value, path)
        m.exactly(("decision_no", "decided_on", "content"))
        decided = _date(m, "decided_on")
        assert decided is not None
        return cls(m.text("decision_no"), decided, m.text("content"))


@dataclass(frozen=True)
class ResultContent:
    """`suiji/result/v1`: one enterprise inspected in one task, as the clerk recorded it.

    `team` and `categories` keep the records' order (categories: official names in the
    national order); `findings` are (item id, finding) sorted by item id. Empty text is "".
    """

    salt: str
    task: str
    uscc: str
    started_on: dt.date
    ended_on: dt.date
    team: tuple[str, ...]
    findings: tuple[tuple[str, str], ...]
    categories: tuple[str, ...]
    observations: str
    assessment: str
    opinions: str
    penalty: Penalty | None
    reported_on: dt.date | None
    feedback_on: dt.date | None
    rectify_by: dt.date | None
    rectified_on: dt.date | None
    correction: str

    MEMBERS = (
        "schema",
        "salt",
        "task",
        "uscc",
        "started_on",
        "ended_on",
        "team",
        "findings",
        "categories",
        "observations",
        "assessment",
        "opinions",
        "penalty",
        "reported_on",
        "feedback_on",
        "rectify_by",
        "rectified_on",
        "correction",
    )
    TEXTS = ("observations", "assessment", "opinions", "correction")

    def same_content(self, other: ResultContent) -> bool:
        """Equal apart from the salt: a row that did not change needs no new entry."""
        a, b = self.to_json(), other.to_json()
        a.pop("salt")
        b.pop("salt")
        return a == b

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": RESULT_SCHEMA,
            "salt": self.salt,
            "task": self.task,
            "uscc": self.uscc,
            "started_on": self.started_on.isoformat(),
            "ended_on": self.ended_on.isoformat(),
            "team": list(self.team),
            "findings": [{"item": item, "finding": f} for item, f in self.findings],
            "categories": list(self.categories),
            "observations": self.observations,
            "assessment": self.assessment,
            "opinions": self.opinions,
            "penalty": None if self.penalty is None else self.penalty.to_json(),
            "reported_on": _iso(self.reported_on),
            "feedback_on": _iso(self.feedback_on),
            "rectify_by": _iso(self.rectify_by),
            "rectified_on": _iso(self.rectified_on),
            "correction": self.correction,
        }

    @classmethod
    def from_json(cls, value: object) -> ResultContent:
        m = Members(value, "result")
        m.exactly(cls.MEMBERS)
        if m.text("schema") != RESULT_SCHEMA:
            raise EntryError("bad-schema", m.at("schema"), f"schema 必须是 {RESULT_SCHEMA}")
        salt = m.text("salt")
        if not SALT_RE.match(salt):
            raise EntryError("bad-salt", m.at("salt"), "salt 必须是 32 位小写十六进制（128 位）")
        findings = []
        for i, raw in enumerate(m.array("findings")):
            f = Members(raw, f"{m.at('findings')}[{i}]")
            f.exactly(("item", "finding"))
            findings.append((f.text("item"), f.text("finding")))
        if findings != sorted(findings) or len({i for i, _ in findings}) != len(findings):
            raise EntryError(
                "bad-order", m.at("findings"), "findings 必须按 item 排序且每个事项只出现一次"
            )
        started, ended = _date(m, "started_on"), _date(m, "ended_on")
        assert started is not None and ended is not None
        penalty_raw = m.raw("penalty")
        return cls(
            salt=salt,
            task=m.text("task"),
            uscc=m.text("uscc"),
            started_on=started,
            ended_on=ended,
            team=m.texts("team"),
            findings=tuple(findings),
            categories=m.texts("categories"),
            observations=m.text("observations"),
            assessment=m.text("assessment"),
            opinions=m.text("opinions"),
            penalty=None
            if penalty_raw is None
            else Penalty.from_json(penalty_raw, m.at("penalty")),
            reported_on=_date(m, "reported_on", optional=True),
            feedback_on=_date(m, "feedback_on", optional=True),
            rectify_by=_date(m, "rectify_by", optional=True),
            rectified_on=_date(m, "rectified_on", optional=True),
            correction=m.text("correction"),
        )


@dataclass(frozen=True)
class ResultEntry:
    """`result` (§16.2): one result recorded, or a correction of the current one.

    `corrects_seq` is the sequence number of the `result` entry this one supersedes (the
    current one for the same task and enterprise), or None for the first.
    """

    task: str
    uscc: str
    result_object: str
    corrects_seq: int | None

    MEMBERS = ("task", "uscc", "result_object", "corrects_seq")

    @classmethod
    def from_json(cls, value: object) -> ResultEntry:
        m = Members(value)
        m.exactly(cls.MEMBERS)
        return cls(
            task=m.text("task"),
            uscc=m.text("uscc"),
            result_object=m.hex64("result_object"),
            corrects_seq=m.opt_integer("corrects_seq"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "uscc": self.uscc,
            "result_object": self.result_object,
            "corrects_seq": self.corrects_seq,
        }
