"""Text for people: how the CLI prints reports, findings and errors (in Chinese).

The library returns reports as data (`to_json()` is their machine-readable form); the words
and layout a person reads live here only. Error messages are the exception: an error's
message is data of its cause and stays with the error (`suiji.shared.errors`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from suiji.shared.errors import SuijiError
from suiji.shared.findings import Finding

if TYPE_CHECKING:  # the CLI imports the heavy sides only for the command that needs them
    from suiji.draw.coverage import CoverageReport
    from suiji.records.model import CheckReport
    from suiji.records.problems import RecordProblem
    from suiji.verify.gitcheck import GitFinding
    from suiji.verify.verifier import Report
    from suiji.writing.dryrun import DryRun

FailOn = Literal["any", "integrity"]

ENCODING_LABELS = {
    "utf-8-sig": "UTF-8（带 BOM）",
    "utf-8": "UTF-8",
    "gb18030": "GB18030",
    "xlsx": "Excel 工作簿",
}
"""How `suiji check` names the encoding a record file was read in."""


# ---------------------------------------------------------------- errors


def error(err: SuijiError, command: str = "suiji") -> str:
    """The standard-error line for an error that ended a command."""
    return f"{command}: {err}"


# ---------------------------------------------------------------- findings and verify


def finding(f: Finding) -> str:
    """One finding: where (entry number or the ledger), tag, code and message."""
    where = f"条目 #{f.seq}" if f.seq is not None else "账本"
    return f"{where} [{f.tag}/{f.code}] {f.message}"


def verify_report(report: Report, fail_on: FailOn = "any") -> str:
    """The human report of `suiji verify`, one finding per line."""
    lines = [
        f"账本：{report.origin or '（未知）'}，{report.size} 条完整条目；"
        f"检查点覆盖 {report.checkpoint_size if report.checkpoint_size is not None else '—'} 条",
    ]
    if report.genesis_hash:
        lines.append(f"创世条目哈希（可用 --pin 固定）：{report.genesis_hash}")
    if report.root:
        lines.append(f"Merkle 根（RFC 6962）：{report.root}")
    lines.extend(f"说明：{n}" for n in report.notices)
    lines.extend(task_lines(report.tasks))
    lines.extend(person_voids(report))
    integrity = [f for f in report.findings if f.tag == "integrity"]
    compliance = [f for f in report.findings if f.tag == "compliance"]
    for title, group in (
        ("完整性问题 (integrity)", integrity),
        ("合规问题 (compliance)", compliance),
    ):
        if group:
            lines.append(f"{title}：{len(group)} 项")
            lines.extend(f"  {finding(f)}" for f in group)
    if report.evidence:
        lines.append("证据（由账本签名密钥签署的检查点和条目，及本验证者上次的记录）：")
        for note in report.evidence:
            lines.extend(f"  | {line}" for line in note.rstrip("\n").split("\n"))
            lines.append("")
    if report.passes(fail_on):
        tail = "（合规问题不计入失败）" if compliance else ""
        lines.append(f"结论：验证通过{tail}")
    else:
        lines.append(f"结论：验证未通过，{len(report.failing(fail_on))} 项问题")
    if report.state_advanced:
        lines.append("已更新本地验证状态（--state）")
    return "\n".join(lines) + "\n"


def task_lines(tasks: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every task: where its randomness comes from (chain and round, so a reader can fetch
    that round and check it), whether and where it was drawn, and anything to note: voided
    or undrawn commitments, draws that were not random or whose teams failed."""
    if not tasks:
        return []
    drawn = sum(1 for t in tasks if t.get("draw_seq") is not None)
    lines = [f"抽查任务：{len(tasks)} 个，已抽取 {drawn} 个（每个任务的随机来源）"]
    for t in tasks:
        if t.get("chain") is not None:
            source = f"信标链 {t['chain']} 第 {t['round']} 轮（{t['round_time']}）"
        elif t.get("draw_after") is not None:
            source = f"仅附加输入，不早于 {t['draw_after']}"
        else:
            source = "无有效承诺"
        head = f"承诺 #{t['commitment']}，{source}" if t.get("commitment") is not None else source
        state = f"已于条目 #{t['draw_seq']} 抽取" if t.get("draw_seq") is not None else "尚未抽取"
        notes = []
        if t.get("voided"):
            seqs = "、".join(f"#{v['commit_seq']}（作废于 #{v['void_seq']}）" for v in t["voided"])
            notes.append(f"已作废的承诺 {len(t['voided'])} 个：{seqs}")
        if t.get("undrawn") is not None:
            notes.append(f"承诺 #{t['undrawn']} {'逾期未抽取' if t['withheld'] else '尚未抽取'}")
        if t.get("random") is False:
            notes.append(f"抽取 #{t['draw_seq']} 抽中了全部可抽对象，不是随机抽取（不计入双随机）")
        if t.get("teams_error"):
            notes.append(f"抽取 #{t['draw_seq']} 的检查组未能组成")
        tail = f"；{'；'.join(notes)}" if notes else ""
        lines.append(f"  {t['task']}：{head}，{state}{tail}")
    return lines


def person_voids(report: Report) -> list[str]:
    """Voids per task: how often a drawn person was replaced, and how many still wait."""
    lines = []
    for task, voids, replaced in report.person_voids:
        waiting = f"，{voids - replaced} 次等待信标轮次" if voids > replaced else ""
        lines.append(
            f"人员撤换：任务 {task} 共 {voids} 次，已由后续轮次决定替换 {replaced} 次{waiting}"
        )

    return lines


def git_finding(f: GitFinding) -> str:
    """One refused change of `suiji gitcheck`: the commit (or the index), the path and why."""
    from suiji.verify.gitcheck import INDEX

    where = "暂存区" if f.commit == INDEX else f"提交 {f.commit[:12]}"
    return f"{where}: {f.path}: {f.message}"


REPAIRED = {
    "none": "账本完好，无需修复",
    "complete": "最后一行缺少换行，已补上（该条目完整且签名有效）",
    "truncate": "已截去未写完、未签名的最后一行",
}


def repaired(action: str) -> str:
    """What `suiji ledger repair` did, in words."""
    return REPAIRED[action]


# ---------------------------------------------------------------- records (`suiji check`)


def record_problem(p: RecordProblem) -> str:
    """One problem of the records: `file:row:column: message`, warnings marked as such."""
    prefix = "" if p.severity == "error" else "警告："
    return f"{p.location}: {prefix}{p.message}"


def check_lines(report: CheckReport) -> list[str]:
    """What `suiji check` prints: every problem, then per-record lines or a verdict."""
    lines = [record_problem(p) for p in report.problems]
    if report.ok:
        for r in report.records:
            lines.append(
                f"{r.file}: {ENCODING_LABELS.get(r.encoding, r.encoding)}，{r.rows} 行"
                f"（有效 {r.active_rows} 行），快照 {r.snapshot}"
            )
        lines.append(f"检查通过：{len(report.records)} 个记录，{len(report.warnings)} 个警告")
    else:
        lines.append(
            f"检查未通过：{len(report.errors)} 个错误，{len(report.warnings)} 个警告"
            f"（请按每行的提示改正后再运行 suiji check）"
        )
    return lines


# ---------------------------------------------------------------- coverage


def coverage(rep: CoverageReport) -> str:
    """The coverage report for people."""
    from suiji.draw.coverage import percent

    lines = [f"覆盖情况（截至 {rep.today.isoformat()}）"]
    lines.append(f"应覆盖而尚未抽查：{len(rep.due)} 项")
    for d in rep.due:
        lines.append(f"  {d.uscc} {d.name}：{d.reason}")
    if rep.over_cap:
        lines.append("超过年度上限：")
        lines.extend(f"  {u}：{n} 次" for u, n in rep.over_cap.items())
    lines.append(f"双随机占年度执法检查计划的比例（不低于 {percent(rep.min_ratio)}%）：")
    for r in rep.ratios:
        plan_mark = "达标" if r.planned_share >= rep.min_ratio else "未达标"
        done_mark = "已达到" if r.share >= rep.min_ratio else "尚未达到"
        lines.append(
            f"  {r.unit}：计划 {r.planned_total} 次，其中双随机 {r.planned_random} 次"
            f"（计划占比 {percent(r.planned_share)}%，{plan_mark}）；"
            f"已随机抽取 {r.done_random} 家次，占计划 {percent(r.share)}%（{done_mark}）"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- commit --dry-run

_RULES = {
    "leader": "带队分管领导",
    "officers": "持证执法人员人数",
    "group_officer": "每个执法片区须有对应检查组的持证执法人员",
    "experts": "专家（人数与专业领域）",
    "accompany": "编外随行人员",
    "load_limit": "负荷上限",
}


def dry_run(dry: DryRun) -> str:
    """`suiji commit --dry-run`: would commit, and how often the team rules were met."""
    b = dry.body
    lines = [f"试运行（不写入账本）：任务 {b.task}「{b.name}」"]
    lines.append(
        f"名录、方案、配额、事项和日期检查通过：可抽取 {b.eligible} 家，每次抽中 {dry.drawn} 家"
    )
    if dry.unmet is not None:
        lines.append(f"不能承诺：{dry.unmet}")
    rate = 100 * dry.met / dry.samples if dry.samples else 0.0
    lines.append(
        f"用 {dry.samples} 个试算种子模拟抽取：{dry.met} 次能组成全部检查组（{rate:.0f}%），"
        f"{dry.samples - dry.met} 次不能"
    )
    for rule, count in dry.failures.most_common():
        name = _RULES.get(rule, rule)
        lines.append(f"  未满足“{name}”（{rule}）：{count} 次；例：{dry.examples[rule]}")
    if dry.failures:
        worst = _RULES.get(dry.failures.most_common(1)[0][0], "")
        lines.append(
            f"最常失败的规则是“{worst}”：请补充人员名录或专家库（持证、片区、专业领域），"
            f"或修改方案的 [team] 设置，再运行 suiji commit --dry-run；"
            f"承诺后抽取失败会作为“检查组未能组成”永久记录"
        )
    if dry.unmet is None:
        lines.append(
            "可以承诺：去掉 --dry-run 再运行同一条 suiji commit 命令"
            "（试算种子不是真实种子，真实结果由信标决定）"
        )
    return "\n".join(lines) + "\n"
