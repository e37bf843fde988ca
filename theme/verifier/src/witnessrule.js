// The files of ledger/cosignatures/ and the witness rule (docs/spec/19-witnesses.md §19.4),
// as `suiji verify` applies them (suiji.verify.verifier `_check_cosignature`,
// suiji.verify.witnessed `WitnessRule.judge`): the same finding codes, notices and the
// report's `witness_policy` / `witnessed` members, which the task page shows.
import { hex } from "./encoding.js";
import { openNote, parseCheckpoint, parseNote } from "./checkpoint.js";
import { verify as edVerify } from "./ed25519.js";
import { cosignedAt, parseVkey, readPolicy } from "./witness.js";

const DIR = "cosignatures";
const finding = (seq, code, message) => ({ seq, tag: "integrity", code, message });
const fmt = (t) => new Date(t * 1000).toISOString().replace(".000Z", "Z");
const eqBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The genesis witness policy, or null (none, or a body the genesis check already reports). */
export function genesisPolicy(genesisBody) {
  const w = genesisBody?.policy?.witnesses;
  if (w === undefined) return null;
  try {
    return readPolicy(w);
  } catch {
    return null;
  }
}

/** When a commitment's randomness exists (seconds): its round time, or `draw_after`. */
function availableAt(beacon) {
  return Date.parse(beacon.round_time ?? beacon.draw_after) / 1000;
}

/**
 * @param {object} a
 * @param {{name: string, bytes: Uint8Array}[]} a.files the files of ledger/cosignatures/
 * @param {object[]} a.entries the ledger's entries that passed the structural checks
 * @param {Map<number, {root: Uint8Array, writer: {raw: Uint8Array}|null}>} a.snapshots per size
 * @param {Uint8Array[]} a.writers every signing key the ledger authorised and did not revoke
 * @returns {Promise<{findings, notices, policy, report: {witness_policy?, witnessed?}}>}
 */
export async function checkWitnesses({ files, entries, snapshots, writers, origin, size, now }) {
  const findings = [];
  const notices = [];
  const cosigned = [];
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (f.name.startsWith(".")) continue;
    try {
      cosigned.push({ name: f.name, bytes: f.bytes, cp: parseCheckpoint(parseNote(f.bytes).text) });
    } catch {
      notices.push(`${DIR}/${f.name}: 不是本账本已知密钥签署的检查点（格式不符），已忽略`);
    }
  }
  let signed = 0;
  for (const c of cosigned) {
    const problem = await checkOne(c, origin, size, snapshots, writers, notices);
    if (problem === false) continue;
    signed++;
    if (problem) findings.push(problem);
  }
  if (signed) notices.push(`已核对 ${signed} 份见证联署（ledger/cosignatures/）与本账本的一致性`);
  const genesis = entries.find((e) => e.seq === 0 && e.kind === "genesis");
  const policy = genesis ? genesisPolicy(genesis.body) : null;
  if (!policy) return { findings, notices, policy: null, report: {} };
  const judged = await judge(policy, cosigned, entries, snapshots, origin, Date.parse(now) / 1000);
  findings.push(...judged.findings);
  notices.push(...judged.notices);
  return { findings, notices, policy, report: judged.report };
}

/** One file: false when no key this ledger knows signs it; else a finding or null. */
async function checkOne(c, origin, size, snapshots, writers, notices) {
  try {
    await openNote(c.bytes, writers.map((w) => ({ name: origin ?? "", publicKey: w })));
  } catch {
    notices.push(`${DIR}/${c.name}: 没有本账本任何签名密钥的有效签名，已忽略（不作为证据）`);
    return false;
  }
  const cp = c.cp;
  if (cp.origin !== origin) return finding(null, "cosig-origin", `${c.name}: 联署的检查点属于另一个日志 '${cp.origin}'`);
  if (cp.size > size) return finding(null, "cosig-ahead", `${c.name}: 见证人见过大小为 ${cp.size} 的检查点，本账本只有 ${size} 条：账本被截断或回滚`);
  const snap = snapshots.get(cp.size);
  if (!snap || !snap.writer || origin === null) return null;
  try {
    await openNote(c.bytes, [{ name: origin, publicKey: snap.writer.raw }]);
  } catch (e) {
    return finding(null, "cosig-log-signature", `${c.name}: 联署的检查点没有当时签名密钥的有效签名：${e.message}`);
  }
  if (!eqBytes(snap.root, cp.root)) return finding(null, "cosig-fork", `${c.name}: 见证人联署的大小为 ${cp.size} 的检查点与本账本不一致：日志分叉`);
  return null;
}

async function judge(policy, cosigned, entries, snapshots, origin, now) {
  // per witness: the earliest valid cosignature time on a checkpoint of each size
  const best = new Map();
  for (const c of cosigned) {
    const snap = snapshots.get(c.cp.size);
    if (c.cp.origin !== origin || !snap || !eqBytes(snap.root, c.cp.root) || !snap.writer) continue;
    let note;
    try {
      note = await openNote(c.bytes, [{ name: c.cp.origin, publicKey: snap.writer.raw }]);
    } catch {
      continue;
    }
    for (const key of policy.keys) {
      const when = await cosignedAt(note, key, edVerify);
      if (when === null) continue;
      if (!best.has(key.name)) best.set(key.name, new Map());
      const sizes = best.get(key.name);
      sizes.set(c.cp.size, Math.min(when, sizes.get(c.cp.size) ?? when));
    }
  }
  const findings = [];
  const notices = [];
  const witnessed = [];
  for (const e of entries) {
    if (e.kind !== "commit") continue;
    const deadline = availableAt(e.body.beacon) - policy.lead;
    const who = [];
    for (const key of policy.keys) {
      const times = [...(best.get(key.name) ?? new Map())].filter(([s]) => s > e.seq).map(([, t]) => t);
      if (!times.length) continue;
      const first = Math.min(...times);
      who.push({ witness: key.name, time: fmt(first), in_time: first <= deadline });
    }
    const good = who.filter((w) => w.in_time).length;
    const ok = good >= policy.threshold;
    witnessed.push({ commitment: e.seq, task: e.body.task, deadline: fmt(deadline), witnessed: ok, witnesses: who });
    if (ok) continue;
    if (now < deadline) {
      notices.push(`#${e.seq}（${e.body.task}）的承诺尚待见证：需在 ${fmt(deadline)} 前由 ${policy.threshold} 位见证人联署，目前 ${good} 位`);
      continue;
    }
    findings.push(
      finding(
        e.seq,
        "unwitnessed",
        `#${e.seq}（任务 ${e.body.task}）的承诺没有在信标轮次前 ${policy.lead} 秒（${fmt(deadline)}）之前由至少 ${policy.threshold} 位见证人联署` +
          `（及时联署的只有 ${good} 位）：无法证明承诺先于随机数公开，可能是倒签的承诺；请用 suiji witness 向见证人提交检查点，或查明该承诺是否在轮次之后才写入`,
      ),
    );
  }
  return {
    findings,
    notices,
    report: {
      witness_policy: { threshold: policy.threshold, lead_seconds: policy.lead, witnesses: policy.keys.map((k) => k.name) },
      witnessed,
    },
  };
}

/** The demo witnesses' published keys (witness-1, witness-2): only a demo ledger may name
 * them (finding `demo-key`, as suiji.ledger.state does for the genesis policy). */
export const DEMO_WITNESS_VKEYS = [
  "witness-1.demo.invalid+6d610f96+BOvN/2rpnqyneFSnYlTAswuCVzMv78Kq8YqEHE7zSla+",
  "witness-2.demo.invalid+4b90fec1+BO2wuXHscEwtk8x/X5uqdtSK7q6Xu2SH1vMJmysCuAec",
];
const DEMO_WITNESS_PUBLICS = new Set(DEMO_WITNESS_VKEYS.map((v) => hex(parseVkey(v).publicKey)));

/** True when a genesis policy names a demo witness key (under any name). */
export function namesDemoWitness(policy) {
  return !!policy && policy.keys.some((k) => DEMO_WITNESS_PUBLICS.has(hex(k.publicKey)));
}

/**
 * The task page's witness step: for each task, who cosigned each of its commitments and
 * when (✓ when enough distinct witnesses did so in time; ✗ on `unwitnessed`). Without a
 * policy the step says that the commitment's time rests on the bureau's clock.
 */
export function witnessSteps(tasks, witnessed, findings) {
  const byTask = new Map();
  for (const w of witnessed.report?.witnessed ?? []) byTask.set(w.task, [...(byTask.get(w.task) ?? []), w]);
  const policy = witnessed.policy;
  for (const t of tasks ?? []) {
    if (!policy) {
      t.steps.push({ id: "witness", ok: true, unavailable: false, label: "见证：本账本未设见证人，承诺时间以本局时钟为准（无法独立证明承诺先于随机数公开）", evidence: {} });
      continue;
    }
    const mine = byTask.get(t.task) ?? [];
    const failed = findings.filter((f) => f.code === "unwitnessed" && mine.some((w) => w.commitment === f.seq));
    const who = mine
      .map((w) => `承诺 #${w.commitment}：${w.witnesses.length ? w.witnesses.map((x) => `${x.witness} 于 ${x.time}${x.in_time ? "" : "（迟于期限）"}`).join("，") : "无人联署"}`)
      .join("；");
    const label = `见证：承诺在信标轮次前 ${policy.lead} 秒以前由至少 ${policy.threshold} 位见证人联署（${who || "无承诺"}）`;
    const evidence = { 见证策略: witnessed.report.witness_policy, 承诺: mine };
    if (failed.length) evidence.findings = failed;
    t.steps.push({ id: "witness", ok: failed.length === 0, unavailable: false, label, evidence });
  }
}
