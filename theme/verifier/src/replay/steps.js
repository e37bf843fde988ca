// Per task, the steps a reader sees (✓ or what failed, with raw evidence folded under):
// built from the findings of the task's entries, so the page and `suiji verify` agree.
import { SEALED_STEP_CODES as SEALED_CODES } from "./sealed.js";

const STEPS = [
  ["commit", "承诺：方案、快照与可抽取名单复算一致", ["sealed-terms", "plan-mismatch", "plan-form", "as-of", "population", "population-count", "records-dated-later", "commit-twice", "commit-after-draw", "same-plan", "semantic-unreadable"]],
  ["round", "随机数来源：承诺指定的将来轮次符合规则", ["round", "round-time", "beacon-chain", "beacon-not-first", "lottery-date", "void-unknown", "void-late", "withheld"]],
  ["extra", "附加随机输入：在轮次产生前登记、格式正确、按方案顺序使用", ["extra-uncommitted", "extra-commitment", "extra-twice", "extra-late", "extra-unknown", "extra-format", "extra-early", "draw-extra", "draw-extra-missing"]],
  ["reveal", "暗查暗访：揭示的密钥与承诺的哈希相符、按期揭示、揭示前无抽取和结果", SEALED_CODES],
  ["beacon", "信标：随机值与签名相符、记录不早于轮次时间", ["beacon-randomness", "beacon-early", "beacon-signature", "draw-beacon"]],
  ["seed", "种子：由承诺、信标和附加输入复算一致", ["seed", "draw-commitment", "draw-early", "draw-uncommitted", "draw-twice"]],
  ["targets", "抽中企业：按票号顺序与配额复算一致", ["draw-targets"]],
  ["result", "抽取结果（企业、检查事项、检查组）逐字节复算一致", ["draw-result", "draw-fields", "teams-error"]],
  ["voids", "人员撤换与替换：轮次、票号种子与替换人员复算一致", ["void-undrawn", "void-draw", "void-slot-again", "void-round", "void-no-beacon", "void-in-window", "void-invalid", "replace-unknown", "replace-beacon", "replace-early", "replace-seed", "void-replacement"]],
  ["results", "检查结果：只登记抽中企业、更正与撤回符合规则", ["result-task-unknown", "result-not-drawn", "result-withdrawn", "result-corrects", "result-withdrawal-partial", "result-object-mismatch", "result-object-invalid"]],
];

function taskOfEntry(entry, r) {
  const b = entry.body ?? {};
  if (typeof b.task === "string") return b.task;
  if (entry.kind === "beacon") {
    for (const [task, s] of r.hist.tasks) {
      if (s.draw && s.draw.body.beacon_seq === entry.seq) return task;
      const b = r.hist.beaconsBySeq.get(entry.seq)?.body;
      if (s.commit?.body.sealed && b && s.commit.body.beacon.round === b.round && s.commit.body.beacon.chain_hash === b.chain_hash) return task;
      if (s.personVoids.some((v) => r.hist.beaconsBySeq.get(entry.seq)?.body.round === v.body.beacon.round)) return task;
    }
  }
  return null;
}

export function buildTasks(r, findings) {
  const seqsByTask = new Map();
  for (const e of r.entries) {
    const task = taskOfEntry(e, r);
    if (task === null) continue;
    if (!seqsByTask.has(task)) seqsByTask.set(task, []);
    seqsByTask.get(task).push(e);
  }
  const tasks = [];
  for (const task of [...seqsByTask.keys()].sort()) {
    const entries = seqsByTask.get(task);
    const seqs = new Set(entries.map((e) => e.seq));
    const mine = findings.filter((f) => seqs.has(f.seq));
    const state = r.hist.tasks.get(task);
    const commit = state?.commit ?? state?.voided.at(-1) ?? null;
    const title = commit?.body?.name ?? entries.find((e) => e.kind === "commit")?.body.name ?? task;
    const kinds = new Set(entries.map((e) => e.kind));
    const steps = [];
    for (const [id, label, codes] of STEPS) {
      if (id === "extra" && !kinds.has("extra-input") && !entries.some((e) => (e.kind === "draw" || e.kind === "reveal") && (e.body.extra ?? []).length)) continue;
      if (id === "voids" && !kinds.has("person-void") && !kinds.has("sealed-void")) continue;
      if (id === "results" && !kinds.has("result")) continue;
      if (["beacon", "seed", "targets", "result"].includes(id) && !kinds.has("draw") && !kinds.has("reveal")) continue;
      if (id === "reveal" && !commit?.body?.sealed && !kinds.has("reveal")) continue;
      const failed = mine.filter((f) => codes.includes(f.code));
      const missing = entries.filter((e) => r.unavailable.has(e.seq) && relevant(id, e.kind)).map((e) => ({ seq: e.seq, object: r.unavailable.get(e.seq) }));
      const evidence = {};
      for (const e of entries) if (r.evidence.has(e.seq) && relevant(id, e.kind)) evidence[`#${e.seq} ${e.kind}`] = r.evidence.get(e.seq);
      if (failed.length) evidence.findings = failed;
      if (missing.length) evidence.unavailable = missing;
      steps.push({ id, ok: failed.length === 0 && missing.length === 0, unavailable: failed.length === 0 && missing.length > 0, label, evidence });
    }
    tasks.push({ task, title, steps });
  }
  return tasks;
}

function relevant(step, kind) {
  switch (step) {
    case "commit":
    case "round":
      return kind === "commit" || kind === "commit-void";
    case "extra":
      return kind === "extra-input";
    case "beacon":
      return kind === "beacon";
    case "voids":
      return kind === "person-void" || kind === "sealed-void" || kind === "person-replace";
    case "results":
      return kind === "result" || kind === "withdrawal";
    case "reveal":
      return kind === "reveal" || kind === "commit";
    default:
      return kind === "draw" || kind === "reveal";
  }
}
