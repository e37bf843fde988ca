"""A province-sized bureau for the benchmarks (not a benchmark itself: no `bench_` prefix).

The example county's records with its enterprise register scaled to N rows: row i copies
the county's row i mod 325 (industry, area, scale, risk, status and dates); rows past
the county's own get their own valid credit code and a unique name, so every rule the draw and the verifier apply sees
the county's mix of units at province size. One plan, an undirected draw of 5 % with the
demo plans' team rules and three items per target, is placed to be committed.

    python benchmarks/_province.py DIR N     # DIR/base: records, keys, genesis, the plan
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETUP_AT = "2026-01-05T09:00:00+08:00"
COMMIT_AT = "2026-03-16T09:00:00+08:00"
DRAW_AT = "2026-03-17T10:00:00+08:00"
VERIFY_AT = "2026-03-18T10:00:00+08:00"
TASK = "2026-901"
PLAN = f"""task_id = "{TASK}"
name = "全省危险化学品和烟花爆竹单位“双随机”抽查（基准）"
year = 2026
unit = "监督管理股"
kind = "不定向"
ratio = "5%"
items_per_target = 3
exclude_drawn_this_year = false

[window]
start = 2026-04-01
end = 2026-06-30

[team]
per = "target"
officers = 2
leader = true
group_officer = true
load_limit = 1000
"""


def scale_register(text: str, n: int) -> str:
    """The county's enterprises.csv (BOM, header, rows) with n rows."""
    from suiji.records.uscc import check_char

    bom = text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    code_col, name_col = header.index("统一社会信用代码"), header.index("单位名称")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for i in range(n):
        row = list(body[i % len(body)])
        if i >= len(body):  # the county's own rows keep their codes (recusals name them)
            first17 = f"91990101{i:09d}"
            row[code_col] = first17 + check_char(first17)
            row[name_col] = row[name_col].replace("示例县", f"示例省第{i}号", 1)
            if not row[name_col].startswith("示例省"):
                row[name_col] = f"示例省第{i}号{row[name_col]}"
        writer.writerow(row)
    return ("\ufeff" if bom else "") + out.getvalue()


def build(directory: Path, n: int) -> Path:
    """DIR/base: records scaled to n enterprises, keys, a demo-chain genesis, the plan."""
    sys.path.insert(0, str(HERE.parent))
    from tests.support.bureau import make_bureau

    root = directory / "base"
    quiet = io.StringIO()
    stdout, sys.stdout = sys.stdout, quiet
    try:
        make_bureau(root, "--beacon", "suiji-demo", "--demo")
    finally:
        sys.stdout = stdout
    records = root / "content" / "records"
    register = records / "enterprises.csv"
    register.write_text(scale_register(register.read_text("utf-8"), n), "utf-8", newline="")
    for old in (records / "plans").glob("*.toml"):
        old.unlink()
    (records / "plans" / f"{TASK}.toml").write_text(PLAN, "utf-8")
    return root


if __name__ == "__main__":
    print(build(Path(sys.argv[1]), int(sys.argv[2])))
