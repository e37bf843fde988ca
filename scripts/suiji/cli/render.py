"""Text for people: how the CLI prints reports, findings and errors (in Chinese).

The library returns reports as data (`to_json()` is their machine-readable form); the words
and layout a person reads live here only. Error messages are the exception: an error's
message is data of its cause and stays with the error (`suiji.shared.errors`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from suiji.draw.teamrules import ROLE_TITLES
from suiji.shared.errors import SuijiError
from suiji.shared.findings import Finding
from suiji.shared.times import beijing, parse_time

if TYPE_CHECKING:  # the CLI imports the heavy sides only for the command that needs them
    from suiji.draw.coverage import CoverageReport
    from suiji.records.model import CheckReport
    from suiji.records.problems import RecordProblem
    from suiji.verify.gitcheck import GitFinding
    from suiji.verify.taskview import TaskView, TicketView
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


def witness_lines(data: dict[str, Any]) -> list[str]:
    """Who cosigned each commitment in time (docs/spec/19-witnesses.md §19.4)."""
    policy = data.get("witness_policy")
    if not policy:
        return []
    rows = data.get("witnessed", [])
    done = sum(1 for c in rows if c["witnessed"])
    out = [
        f"见证：策略要求 {policy['threshold']} 位见证人（{'、'.join(policy['witnesses'])}）"
        f"在轮次前 {policy['lead_seconds']} 秒之前联署；{len(rows)} 个承诺中 {done} 个已满足"
    ]
    for c in rows:
        who = "、".join(f"{w['witness']}（{w['time']}）" for w in c["witnesses"] if w["in_time"])
        out.append(f"  #{c['commitment']}（{c['task']}）：{who or '无及时的联署'}")
    return out


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
    lines.extend(result_lines(report.data.get("results", [])))
    lines.extend(witness_lines(report.data))
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
            when = beijing(parse_time(t["round_time"]))
            source = f"信标链 {t['chain']} 第 {t['round']} 轮，产生于 {when}"
        elif t.get("draw_after") is not None:
            source = f"仅附加输入，不早于 {beijing(parse_time(t['draw_after']))}"
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


def result_lines(results: Sequence[Mapping[str, Any]]) -> list[str]:
    """The recorded results in one line, and each withdrawal (信用修复) by name."""
    if not results:
        return []
    current = [r for r in results if r["status"] == "current"]
    corrected = [r for r in results if r["status"] == "corrected"]
    withdrawn = {
        (r["task"], r["uscc"]): r["withdrawn_seq"] for r in results if r["status"] == "withdrawn"
    }
    lines = [
        f"检查结果：{len(current) + len(withdrawn)} 项已登记（现行 {len(current)} 项；"
        f"更正过的旧版本 {len(corrected)} 个；已撤回 {len(withdrawn)} 项）"
    ]
    lines.extend(
        f"  已撤回：任务 {task}「{uscc}」的检查结果于条目 #{seq} 撤回，对象可删除，条目和哈希保留"
        for (task, uscc), seq in sorted(withdrawn.items())
    )
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
            read = f"{r.file}: {ENCODING_LABELS.get(r.encoding, r.encoding)}，{r.rows} 行"
            if r.record == "results":
                lines.append(f"{read}（检查结果）")
            else:
                lines.append(f"{read}（有效 {r.active_rows} 行），快照 {r.snapshot}")
        results = sum(1 for r in report.records if r.record == "results")
        shown = f"{len(report.records) - results} 个记录" + (
            f"、{results} 个检查结果文件" if results else ""
        )
        lines.append(f"检查通过：{shown}，{len(report.warnings)} 个警告")
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


# ---------------------------------------------------------------- one task (`suiji show`)
# Every time a person reads is Beijing time; the ledger keeps UTC.


def _source(view: TaskView) -> str:
    from suiji.model.tasks import ChainRound

    b = view.beacon
    if isinstance(b, ChainRound):
        return f"信标链 {b.chain} 第 {b.round} 轮，该轮产生于 {beijing(b.available_at)}"
    return f"仅用附加随机输入，不早于 {beijing(b.available_at)} 抽取"


def _named(code: str, name: str) -> str:
    return f"{code} {name}" if name else code


def show_lines(view: TaskView) -> list[str]:
    """What `suiji show TASK` prints: the plan, its randomness, the draw with every name."""
    p = view.plan
    lines = [
        f"任务 {view.task}：{p.name}",
        f"  抽查类型：{p.kind}；执法单位：{p.unit}；"
        f"检查时间：{p.window_start.isoformat()} 至 {p.window_end.isoformat()}",
        f"  承诺：条目 #{view.commit_seq}，{beijing(view.committed_at)}；可抽取 {view.eligible} 家",
        f"  随机来源：{_source(view)}",
    ]
    if view.excluded:
        lines.append(f"  排除 {len(view.excluded)} 家：")
        lines.extend(f"    {_named(u, n)}：{why}" for u, n, why in view.excluded)
    for name, value in view.extras:
        lines.append(f"  附加随机输入：{name} = {value}")
    if view.draw_seq is None or view.drawn_at is None:
        if view.sealed_until is not None:
            lines.append(
                f"  暗查暗访：抽取结果保密，最迟于 {beijing(view.sealed_until)} 之前揭示"
                "（持有密钥者可用 suiji show 任务编号 --secret 密钥文件 私下查看）"
            )
            return lines
        lines.append("  尚未抽取。")
        return lines
    if view.draw_seq == 0:  # a sealed draw computed privately (docs/spec/18-sealed.md)
        lines.append("  抽取：暗查暗访，持有密钥者私下计算，未写入账本；揭示之前不得公开")
    else:
        lines.append(f"  抽取：条目 #{view.draw_seq}，{beijing(view.drawn_at)}")
    if view.randomness:
        lines.append(f"  信标随机值：{view.randomness}")
    lines.append(f"  种子：{view.seed}")
    lines.append(f"抽中的企业（{len(view.targets)} 家，按票号从小到大）：")
    for i, t in enumerate(view.targets, 1):
        stratum = f"［{t.stratum}］" if t.stratum else ""
        lines.append(f"  {i}. {_named(t.id, t.name)}{stratum}  票号 {t.ticket[:14]}…")
        lines.extend(
            f"     检查事项 {it.id} {it.title}（依据：{it.legal_basis}）" for it in t.items
        )
    if view.alternates:
        lines.append("备选企业（仅供公开，抽中的企业不被替换）：")
        lines.extend(f"  {_named(t.id, t.name)}  票号 {t.ticket[:14]}…" for t in view.alternates)
    if view.teams_error:
        lines.append(f"检查组未能组成：{view.teams_error}")
    for team in view.teams:
        where = "、".join(_named(u, n) for u, n in team.targets)
        lines.append(f"检查组（{where}）：")
        lines.extend(
            f"  {ROLE_TITLES.get(m.role, m.role)}：{_named(m.id, m.name)}" for m in team.members
        )
    for v in view.voids:
        after = (
            f"由 {_named(v.replacement, v.replacement_name or '')} 替换（条目 #{v.replace_seq}）"
            if v.replacement
            else f"等待第 {v.round} 轮（{beijing(v.round_time)}）决定替换人员"
        )
        lines.append(
            f"人员撤换：条目 #{v.seq}，{beijing(v.time)}，检查组 {v.team} 的"
            f"{ROLE_TITLES.get(v.role, v.role)} {_named(v.person, v.person_name)}，理由：{v.reason}；{after}"
        )
    return lines


Table = tuple[str, tuple[str, ...], list[tuple[str, ...]]]
"""(sheet title, header, rows) of an export."""


def show_tables(view: TaskView) -> list[Table]:
    """`suiji show --csv/--xlsx`: the same task as tables (one sheet each in Excel)."""
    p = view.plan
    facts: list[tuple[str, ...]] = [
        ("任务编号", view.task),
        ("任务名称", p.name),
        ("抽查类型", p.kind),
        ("执法单位", p.unit),
        ("检查时间", f"{p.window_start.isoformat()} 至 {p.window_end.isoformat()}"),
        ("承诺条目", f"#{view.commit_seq}"),
        ("承诺时间", beijing(view.committed_at)),
        ("随机来源", _source(view)),
        ("可抽取企业数", str(view.eligible)),
        *(("附加随机输入：" + n, v) for n, v in view.extras),
    ]
    if view.draw_seq is not None and view.drawn_at is not None:
        facts += [("抽取条目", f"#{view.draw_seq}"), ("抽取时间", beijing(view.drawn_at))]
        facts += [("信标随机值", view.randomness or "（无）"), ("种子", view.seed or "")]
    if view.teams_error:
        facts.append(("检查组未能组成", view.teams_error))
    targets: list[tuple[str, ...]] = []
    for i, t in enumerate(view.targets, 1):
        base = (str(i), t.id, t.name, t.stratum or "", t.ticket)
        targets += [(*base, it.id, it.title, it.legal_basis) for it in t.items]
        if not t.items:
            targets.append((*base, "", "", ""))
    return [
        ("任务", ("项目", "内容"), facts),
        (
            "抽中企业和检查事项",
            (
                "序号",
                "统一社会信用代码",
                "单位名称",
                "分层",
                "票号",
                "事项编号",
                "检查事项",
                "检查依据",
            ),
            targets,
        ),
        (
            "备选企业",
            ("统一社会信用代码", "单位名称", "分层", "票号"),
            [(t.id, t.name, t.stratum or "", t.ticket) for t in view.alternates],
        ),
        (
            "检查组",
            ("检查组", "检查对象", "角色", "人员编号", "姓名"),
            [
                (
                    team.key,
                    "、".join(n or u for u, n in team.targets),
                    ROLE_TITLES.get(m.role, m.role),
                    m.id,
                    m.name,
                )
                for team in view.teams
                for m in team.members
            ],
        ),
        (
            "排除和撤换",
            ("类别", "编号", "名称", "理由", "结果"),
            [_row("排除企业", u, n, why, "") for u, n, why in view.excluded]
            + [
                _row(
                    f"人员撤换 #{v.seq}",
                    v.person,
                    v.person_name,
                    v.reason,
                    f"由 {v.replacement} {v.replacement_name or ''} 替换".strip()
                    if v.replacement
                    else f"等待第 {v.round} 轮",
                )
                for v in view.voids
            ],
        ),
    ]


def _row(*cells: str) -> tuple[str, ...]:
    return cells


TICKET_STATUS = {
    "drawn": "已抽中",
    "alternate": "未抽中，列为备选（抽中的企业不被替换）",
    "not-drawn": "可抽取，但票号未排进抽取数量",
    "eligible": "可抽取（尚未抽取）",
    "excluded": "不可抽取：被排除",
    "filtered": "不可抽取：不符合方案的筛选条件",
    "retired": "不可抽取：承诺时已不在册（已退出名录）",
    "unlisted": "不可抽取：承诺时的名录中没有该企业",
}


def ticket_lines(t: TicketView) -> list[str]:
    """What `suiji ticket TASK CODE` prints."""
    lines = [f"任务 {t.task}：{_named(t.uscc, t.name)}", f"  结果：{TICKET_STATUS[t.status]}"]
    if t.reason:
        lines.append(f"  原因：{t.reason}")
    if t.stratum:
        lines.append(f"  分层：{t.stratum}")
    if t.ticket is None:
        lines.append("  票号：抽取后才能计算（种子由承诺的信标轮次决定）")
        return lines
    lines.append(f"  种子：{t.seed}")
    lines.append(f"  票号：{t.ticket}")
    if t.rank is not None:
        lines.append(f"  名次：第 {t.rank} 名（共 {t.of} 家，票号越小越先抽中）")
    else:
        lines.append("  （不在可抽取范围内，此票号不参与排序）")
    return lines
