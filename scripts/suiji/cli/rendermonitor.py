"""Human text of `suiji verify --bureau …`: one line per bureau, then the totals."""

from __future__ import annotations

from typing import Any


def monitor_summary(summary: dict[str, Any], out_dir: str) -> str:
    lines = []
    for x in summary["results"]:
        if x["ok"]:
            state = f"通过（{x.get('size')} 条，{x.get('findings')} 项提示）"
        elif "error" in x:
            state = f"无法验证：{x['message']}"
        else:
            state = f"未通过：{x.get('findings')} 项问题（{', '.join(x.get('codes', []))}）"
        lines.append(f"{x['bureau']}：{state}  报告 {out_dir}/{x['report']}")
    lines.append(
        f"共 {summary['bureaus']} 个局：通过 {summary['passed']}，未通过 {summary['failed']}；"
        f"汇总 {out_dir}/summary.json"
    )
    return "\n".join(lines) + "\n"
