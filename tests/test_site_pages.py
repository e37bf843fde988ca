"""Site pages added to the published set: statistics, results by month, long eligible lists
on numbered sub-pages, the notice check page's script (bundle reproducible, the no-WebCrypto
path agreeing with the Python reference)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from suiji.crypto.noticecode import code_hash, issue_codes
from suiji.ledger.objects import ObjectStore
from suiji.ledger.reading import read_entries
from suiji.ledger.results import results_view
from suiji.publish.collect import SiteData, collect
from suiji.publish.jsbundle import CHECKOUT, TARGET, bundle
from suiji.publish.markdown import render
from suiji.publish.site import PageCollision, pages, read_annual_plan, write_pages
from suiji.publish.stats import Bar, chart, statistics_page
from suiji.records.calendar import load_calendars
from suiji.shared.errors import InputError

TODAY = dt.date(2026, 12, 17)


def site_of(root: Path) -> SiteData:
    lines = list(read_entries(root))
    store = ObjectStore(root)
    return collect(
        lines,
        store,
        today=TODAY,
        results=results_view(lines, store),
        calendars=load_calendars(root / "content" / "records"),
        annual_plan=read_annual_plan(root, TODAY),
    )


@pytest.fixture(scope="module")
def site(demo_year: Path) -> SiteData:
    return site_of(demo_year)


def test_long_eligible_lists_go_onto_numbered_sub_pages(site: SiteData, tmp_path: Path) -> None:
    rows = 40
    produced = list(pages(site, ticket_rows=rows))
    summary = write_pages(tmp_path / "gen", produced)  # raises PageCollision on any clash
    assert summary.pages == len(produced)
    slugs = [p.slug for p in produced]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[A-Za-z0-9._/-]+", s) for s in slugs)
    for info in site.tasks:
        task = info.view.task
        subs = [p for p in produced if p.kind == "tickets" and p.data["task"] == task]
        want = -(-len(info.tickets) // rows) if len(info.tickets) > rows else 0
        assert [p.slug for p in subs] == [f"task/{task}/tickets/{n}" for n in range(1, want + 1)]
        # every ticket on exactly one sub-page, in ticket order; none on the task page
        seen = [
            line.split(" | ")[2]
            for p in subs
            for line in p.body
            if line.startswith("| ") and "](" in line
        ]
        assert len(seen) == (len(info.tickets) if want else 0), task
        main = next(p for p in produced if p.slug == f"task/{task}")
        inline = any(line.startswith("| 分层 | 名次 |") for line in main.body)
        assert inline == (want == 0), task
        assert sum("tickets/" in line for line in main.body) == want
    assert any(p.kind == "tickets" for p in produced)
    # the default size keeps the demo's lists (≤ 500 rows) on the task page
    assert not [p for p in pages(site) if p.kind == "tickets"]


def test_a_sub_page_url_cannot_be_taken_twice(site: SiteData, tmp_path: Path) -> None:
    produced = list(pages(site, ticket_rows=40))
    sub = next(p for p in produced if p.kind == "tickets")
    with pytest.raises(PageCollision):
        write_pages(tmp_path / "gen", [*produced, sub])


def test_statistics_reuse_coverage_and_deadlines(site: SiteData) -> None:
    page = statistics_page(site)
    assert page is not None and page.slug == "statistics"
    sections = {s["chart"]["id"]: s for s in page.data["sections"]}
    assert set(sections) == {"ratio", "cover", "ontime", "voids"}
    rep = site.coverage
    assert rep is not None and rep.ratios  # the bureau's annual plan file was read
    units = [r[0] for r in sections["ratio"]["rows"]]
    assert units == [r.unit for r in rep.ratios]
    assert site.deadlines is not None and site.deadlines.units is not None
    ontime = {r[0]: r for r in sections["ontime"]["rows"]}
    for u in site.deadlines.units:
        if u.group is None:
            s = u.share("report")
            assert ontime[u.unit][2].startswith(f"{s.on_time}/{s.decided}")
    key_rows = [r for r in sections["cover"]["rows"] if r[0].startswith("重点单位")]
    due_keys = {d.uscc for d in rep.due if d.rule == "key_unit"}
    assert int(key_rows[0][1]) - int(key_rows[0][2]) == len(due_keys)
    render(page)  # JSON-able front matter


def test_chart_geometry_is_bounded_and_flags_values_below_the_floor() -> None:
    c = chart(
        "x", "t", "d", [Bar("a", 150.0, "150%"), Bar("b", 10.0, "10%"), Bar("c", None, "—")], 30
    )
    widths = [b["w"] for b in c["bars"]]
    assert widths[0] == c["width"] - c["x0"] - 90 and widths[2] == 0
    assert [b["low"] for b in c["bars"]] == [False, True, False]
    assert c["x0"] < c["line_x"] < c["width"]


def test_an_invalid_annual_plan_stops_the_build(demo_copy: Path) -> None:
    (demo_copy / "content" / "records" / "annual-plan.csv").write_text(
        "年度,执法单位,计划检查次数,其中双随机次数\n2026,危化股,很多,50\n", "utf-8"
    )
    with pytest.raises(InputError) as err:
        read_annual_plan(demo_copy, TODAY)
    assert err.value.code == "annual-plan-invalid" and "annual-plan.csv" in str(err.value)
    (demo_copy / "content" / "records" / "annual-plan.csv").unlink()
    assert read_annual_plan(demo_copy, TODAY) is None


def test_results_by_month_list_every_current_result_once(site: SiteData) -> None:
    months = [p for p in pages(site) if p.kind == "results-month"]
    assert months and all(re.fullmatch(r"results/\d{4}-\d{2}", p.slug) for p in months)
    assert sum(p.data["results"] for p in months) == len(site.results)


NODE = shutil.which("node")
ESBUILD = CHECKOUT / "node_modules" / ".bin" / "esbuild"


@pytest.mark.skipif(not ESBUILD.is_file(), reason="npm ci not run (esbuild missing)")
def test_the_notice_check_bundle_is_reproducible_and_committed() -> None:
    first, second = bundle(), bundle()
    assert first == second
    assert (CHECKOUT / TARGET).read_bytes() == first, (
        "theme/static/js/noticecheck.js is stale: run python -m suiji.publish.jsbundle"
    )


@pytest.mark.skipif(NODE is None, reason="node missing")
@pytest.mark.parametrize("webcrypto", [True, False])
def test_the_page_script_agrees_with_the_python_check(webcrypto: bool) -> None:
    codes, issued = issue_codes("2026-004", ["91990101322496803D"], iterations=100_000)
    uscc, code = next(iter(issued.items()))
    entry = codes.codes[0]
    assert code_hash("2026-004", uscc, code, bytes.fromhex(entry.salt), 100_000) == entry.hash
    notices = {"2026-004": {"iterations": 100_000, "codes": {uscc: [entry.salt, entry.hash]}}}
    script = (
        "globalThis.document = undefined;"
        f"require({json.dumps(str(CHECKOUT / TARGET))});"
        "const c = globalThis.suijiNoticeCheck;"
        f"const n = {json.dumps(notices)};"
        "(async () => { const out = [];"
        f" for (const k of [{json.dumps(code)}, {json.dumps(code.lower().replace('-', ' '))},"
        " 'ZZZZZ-ZZZZZ']) out.push(await c.check(n, '2026-004', "
        f"{json.dumps(uscc.lower())}, k, {json.dumps(webcrypto)}));"
        " try { await c.check(n, '2026-004', '91990101322496803D', 'UUUUU-UUUUU'); }"
        " catch (e) { out.push(e.message.includes('不可能出现的字符') ? 'format' : e.message); }"
        " console.log(JSON.stringify(out)); })();"
    )
    assert NODE is not None
    proc = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == ["ok", "ok", "fail", "format"]
