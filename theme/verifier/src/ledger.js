// The structural verifier (docs/spec/04-ledger.md, 05-keys.md, 06-checkpoints.md,
// 14-verifier.md §14.3.2 and §14.3.4): canonical lines, seq, chain, times, every signature
// against the key authorised at that point, key history, objects by hash, the checkpoint.
// It is a line-by-line port of suiji.ledger.state and suiji.verify.verifier, with the
// same finding codes and tags, so a tampered ledger fails here exactly as in `suiji verify`.
// Entries that pass go to the semantic replay (./replay/index.js).
import { SuijiError, hex, parseCanonical, sha256, taggedHash, utf8 } from "./encoding.js";
import { verify as edVerify } from "./ed25519.js";
import { MerkleFrontier, b64decodeStrict, b64encode, leafHash, openNote, parseCheckpoint, parseNote } from "./checkpoint.js";
import {
  DEMO_KEY_FINDING,
  DEMO_PUBLIC_KEYS,
  KeyState,
  REVOKED,
  RETIRED,
  applyKeyChange,
  parseGenesis,
  parseKeyChange,
} from "./keys.js";
import { replayLedger } from "./replay/index.js";
import { verifyRound } from "./bls.js";
import { checkWitnesses, genesisPolicy, namesDemoWitness, witnessSteps } from "./witnessrule.js";

export const MAX_LINE = 1 << 20;
export const GENESIS_PREV = "0".repeat(64);
export const DEMO_NOTICE = "演示账本：随机数可预测，不具证明力";
export const CLOCK_NOTICE =
  "条目时间来自本局的时钟：在独立见证人联署检查点之前，无法证明每条条目确实写于它所记的时间（见 docs/spec/14-verifier.md §14.6.1）";
const HEX64 = /^[0-9a-f]{64}$/;
const KIND = /^[a-z][a-z0-9_-]{0,63}$/;
const TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/;
const FIELDS = "body,kind,prev,seq,sigs,time";
const ENTRY_SIG = utf8("suiji/entry-sig/v1\n");
const BODY_SIG = utf8("suiji/body-sig/v1\n");
const DRAW_INPUT_KINDS = new Set(["commit", "draw", "reveal"]);
const textDecoder = new TextDecoder("utf-8", { fatal: false });

const finding = (seq, code, message, tag = "integrity") => ({ seq, tag, code, message });

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// A ledger time "YYYY-MM-DDTHH:MM:SSZ" that exists (ASCII digits only).
export function validTime(t) {
  if (typeof t !== "string" || !TIME.test(t)) return false;
  const [y, mo, d, h, mi, s] = [t.slice(0, 4), t.slice(5, 7), t.slice(8, 10), t.slice(11, 13), t.slice(14, 16), t.slice(17, 19)].map(Number);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return false;
  const dim = new Date(Date.UTC(2000, mo, 0)).getUTCDate();
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (mo === 2 ? (leap ? 29 : 28) : dim);
}

// Split ledger.jsonl into raw lines: bytes, entry hash, leaf hash, complete or not.
export function splitLines(bytes) {
  const out = [];
  let start = 0;
  const prefix = utf8("suiji/entry/v1\n");
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    const complete = end >= 0;
    if (!complete) end = bytes.length;
    const data = bytes.subarray(start, end);
    out.push({
      seq: out.length,
      data,
      complete,
      hash: complete ? hex(sha256(concat(prefix, data))) : "",
      leaf: complete ? leafHash(data) : null,
    });
    start = end + 1;
  }
  return out;
}

// Vector kind `line`: decode one line (no newline) strictly; throws SuijiError with the
// finding code (all vector lines are rejects).
export function line({ line: text }) {
  return decodeEntry(utf8(text));
}

// Canonical parse and field shapes; returns {entry, sigs: [{key, sig, raw}], unsigned}.
export function decodeEntry(data) {
  let value;
  try {
    value = parseCanonical(data);
  } catch (e) {
    throw new SuijiError("noncanonical", `不是规范 JSON 行：${e.message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value) || Object.keys(value).sort().join() !== FIELDS) {
    throw new SuijiError("fields", `条目必须恰好有字段 ${FIELDS}`);
  }
  const { seq, prev, kind, time, body, sigs } = value;
  if (!Number.isInteger(seq)) throw new SuijiError("fields", "seq 必须是整数");
  if (typeof prev !== "string" || !HEX64.test(prev)) throw new SuijiError("fields", "prev 必须是 64 位小写十六进制");
  if (typeof kind !== "string" || !KIND.test(kind)) throw new SuijiError("fields", `kind 格式错误：${kind}`);
  if (typeof time !== "string") throw new SuijiError("time-format", "time 必须是字符串");
  if (!validTime(time)) throw new SuijiError("time-format", `时间必须形如 2026-03-01T02:00:00Z：${time}`);
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new SuijiError("fields", "body 必须是 JSON 对象");
  if (!Array.isArray(sigs) || !sigs.length) throw new SuijiError("fields", "sigs 必须是非空数组");
  const parsed = sigs.map((s, i) => {
    if (s === null || typeof s !== "object" || Array.isArray(s) || Object.keys(s).sort().join() !== "key,sig") {
      throw new SuijiError("sig-format", `sigs[${i}] 必须是 {"key", "sig"} 对象`);
    }
    if (typeof s.key !== "string" || !HEX64.test(s.key) || typeof s.sig !== "string") {
      throw new SuijiError("sig-format", `sigs[${i}] 的 key 必须是 64 位小写十六进制`);
    }
    let raw;
    try {
      raw = b64decodeStrict(s.sig);
    } catch (e) {
      throw new SuijiError("sig-format", `sigs[${i}] 的 sig: ${e.message}`);
    }
    if (raw.length !== 64) throw new SuijiError("sig-format", `sigs[${i}] 的 sig 必须是 64 字节`);
    return { key: s.key, sig: s.sig, raw };
  });
  // canonical_json(entry without "sigs"): cut ,"sigs":[…] out of the canonical line
  const text = textDecoder.decode(data);
  const segment = `,"sigs":[${parsed.map((s) => `{"key":"${s.key}","sig":"${s.sig}"}`).join(",")}]`;
  const at = text.lastIndexOf(segment);
  const unsigned = utf8(text.slice(0, at) + text.slice(at + segment.length));
  return { entry: { seq, prev, kind, time, body, sigs: parsed.map(({ key, sig }) => ({ key, sig })) }, sigs: parsed, unsigned };
}

// Every object hash a body names (§4.3): members ending in _object / _objects, any depth.
export function objectRefs(body) {
  const out = [];
  const walk = (value, path) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value !== null && typeof value === "object") {
      for (const [name, item] of Object.entries(value)) {
        const p = `${path}.${name}`;
        if (name.endsWith("_object")) {
          if (typeof item !== "string" || !HEX64.test(item)) throw new SuijiError("object-ref", `${p} 必须是对象哈希（64 位小写十六进制）`);
          out.push(item);
        } else if (name.endsWith("_objects")) {
          if (!Array.isArray(item) || !item.every((x) => typeof x === "string" && HEX64.test(x))) {
            throw new SuijiError("object-ref", `${p} 必须是对象哈希数组`);
          }
          out.push(...item);
        } else walk(item, p);
      }
    }
  };
  walk(body, "body");
  return out;
}

export function objectId(bytes) {
  return hex(taggedHash("suiji/object/v1", bytes));
}

// The state machine: one raw line at a time (suiji.ledger.state.LedgerState).
class LedgerState {
  constructor({ now, getObject }) {
    this.size = 0;
    this.lastHash = GENESIS_PREV;
    this.lastTime = null;
    this.frontier = new MerkleFrontier();
    this.keys = null;
    this.genesisHash = null;
    this.origin = null;
    this.demo = false;
    this.withdrawn = new Set();
    this.pending = new Map();
    this.drawInputs = new Map();
    this.now = now;
    this.getObject = getObject;
    this.objectStatus = new Map();
    this.snapshots = new Map([[0, { root: this.frontier.root(), writer: null }]]);
  }

  async apply(raw) {
    const seq = this.size;
    const out = [];
    const bad = (code, message, at = seq) => out.push(finding(at, code, message));
    if (!raw.complete) {
      bad("line-partial", `最后一行不完整（缺少结尾换行，${raw.data.length} 字节）：写入中断；运行 suiji ledger repair`);
      return { entry: null, findings: out };
    }
    const expectedPrev = this.lastHash;
    this.size++;
    this.lastHash = raw.hash;
    this.frontier.appendHash(raw.leaf);
    if (raw.data.length > MAX_LINE) {
      bad("line-too-long", `行长 ${raw.data.length} 字节，超过上限 ${MAX_LINE} 字节`);
      this.snap();
      return { entry: null, findings: out };
    }
    let decoded;
    try {
      decoded = decodeEntry(raw.data);
    } catch (e) {
      bad(e.code || "noncanonical", e.message);
      this.snap();
      return { entry: null, findings: out };
    }
    const { entry, sigs, unsigned } = decoded;
    entry.hash = raw.hash;
    entry.line = raw.data;
    if (entry.seq !== seq) bad("seq", `seq 为 ${entry.seq}，应为 ${seq}（seq 等于行号，从 0 起）`);
    if (entry.prev !== expectedPrev) bad("prev", `prev 与上一行的哈希不符：应为 ${expectedPrev}，实为 ${entry.prev}`);
    if (this.lastTime !== null && entry.time < this.lastTime) bad("time-backwards", `时间 ${entry.time} 早于上一条目的 ${this.lastTime}`);
    else this.lastTime = entry.time;
    if (this.now && entry.time > this.now) bad("time-future", `时间 ${entry.time} 晚于当前时间 ${this.now}`);

    if (seq === 0 || entry.kind === "genesis") {
      await this.genesis(entry, sigs, unsigned, bad);
      if (out.length) {
        this.snap();
        return { entry, findings: out };
      }
    } else if (this.keys === null) {
      bad("no-genesis", "没有有效的创世条目，无法验证此条目的签名");
      this.snap();
      return { entry, findings: out };
    } else {
      await this.signed(entry, sigs, unsigned, bad, out);
    }
    await this.objects(entry, bad);
    this.snap();
    return { entry, findings: out };
  }

  snap() {
    this.snapshots.set(this.size, { root: this.frontier.root(), writer: this.keys ? this.keys.writerKey : null });
  }

  async genesis(entry, sigs, unsigned, bad) {
    if (entry.seq !== 0 || this.size !== 1) {
      bad("genesis", entry.kind === "genesis" ? "创世条目只能是第 0 条" : "第 0 条必须是创世条目 (kind genesis)");
      return;
    }
    if (entry.kind !== "genesis") {
      bad("genesis", "第 0 条必须是创世条目 (kind genesis)");
      return;
    }
    let info;
    try {
      info = parseGenesis(entry.body);
    } catch (e) {
      bad("genesis", `创世条目内容无效：${e.message}`);
      return;
    }
    if (!info.demo && [...info.roots, info.signing].some((k) => DEMO_PUBLIC_KEYS.has(k.hex))) {
      bad("demo-key", `非演示账本的创世条目登记了${DEMO_KEY_FINDING}`);
    }
    if (!info.demo && namesDemoWitness(genesisPolicy(entry.body))) bad("demo-key", `非演示账本的见证人策略登记了${DEMO_KEY_FINDING}`);
    const roots = new Map(info.roots.map((r) => [r.id, r]));
    const counted = await checkSigs(entry, sigs, unsigned, info.signing, roots, null, null, bad);
    if (counted.size < info.threshold) bad("threshold", `创世条目只有 ${counted.size} 个有效根密钥签名，门限为 ${info.threshold}`);
    const state = KeyState.fromGenesis(info);
    state.approvals.push([0, [...counted.values()].sort(), info.threshold]);
    this.keys = state;
    this.genesisHash = entry.hash;
    this.origin = info.origin;
    this.demo = info.demo;
    this.genesisInfo = info;
  }

  async signed(entry, sigs, unsigned, bad, out) {
    const ks = this.keys;
    let change = null;
    if (entry.kind === "key") {
      try {
        change = parseKeyChange(entry.body, this.genesisHash);
      } catch (e) {
        bad("key-body", `密钥变更条目无效：${e.message}`);
      }
    }
    if (change && change.pub && !this.demo && DEMO_PUBLIC_KEYS.has(change.pub.hex)) {
      bad("demo-key", `非演示账本的密钥变更登记了${DEMO_KEY_FINDING}`);
    }
    let writer = ks.writerKey;
    let newRoot = null;
    if (change && change.action === "add") {
      if (change.role === "signing") writer = change.pub;
      else newRoot = change.pub;
    }
    const counted = await checkSigs(entry, sigs, unsigned, writer, ks.roots(), newRoot, ks, bad);
    if (entry.kind !== "key") return;
    if (counted.size < ks.threshold) bad("threshold", `密钥变更只有 ${counted.size} 个有效根密钥签名，门限为 ${ks.threshold}`);
    if (change === null || out.length) return;
    const trial = ks.copy();
    let disputes;
    try {
      disputes = applyKeyChange(trial, change, entry.seq, [...counted.values()].sort());
    } catch (e) {
      bad("key-change", `密钥变更不成立：${e.message}`);
      return;
    }
    this.keys = trial;
    for (const d of disputes) {
      bad("disputed", `此条目由密钥 ${d.key.slice(0, 16)}… 签署，该密钥已于条目 #${d.revokedAt} 被吊销（自 #${d.fromSeq} 起不可信）：内容存疑，保留不删`, d.seq);
    }
  }

  async status(oid) {
    let s = this.objectStatus.get(oid);
    if (s === undefined) {
      const bytes = await this.getObject(oid);
      s = bytes == null ? "missing" : objectId(bytes) === oid ? "ok" : "corrupt";
      this.objectStatus.set(oid, s);
    }
    return s;
  }

  async objects(entry, bad) {
    let refs;
    try {
      refs = objectRefs(entry.body);
    } catch (e) {
      bad("object-ref", e.message);
      return;
    }
    if (entry.kind === "withdrawal") {
      const items = entry.body.withdrawn;
      if (!Array.isArray(items) || !items.length || !items.every((x) => typeof x === "string" && HEX64.test(x))) {
        bad("withdrawal", "withdrawal 条目的 body.withdrawn 必须是非空的对象哈希数组");
      } else {
        for (const oid of items) {
          const used = this.drawInputs.get(oid);
          if (used !== undefined) {
            bad("withdrawal-draw-input", `撤回了条目 #${used}（承诺或抽取）引用的对象 ${oid.slice(0, 16)}…：抽取的输入和结果不得撤回`);
            continue;
          }
          this.withdrawn.add(oid);
          this.pending.delete(oid);
        }
      }
    }
    if (DRAW_INPUT_KINDS.has(entry.kind)) for (const oid of refs) if (!this.drawInputs.has(oid)) this.drawInputs.set(oid, entry.seq);
    for (const oid of refs) {
      const s = await this.status(oid);
      if (s === "corrupt") bad("object-corrupt", `对象 ledger/objects/${oid} 的内容与其哈希不符（被改动）`);
      else if (s === "missing" && !this.withdrawn.has(oid) && !this.pending.has(oid)) this.pending.set(oid, entry.seq);
    }
  }

  finish() {
    return [...this.pending.entries()]
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
      .map(([oid, seq]) => finding(seq, "object-missing", `缺少对象 ledger/objects/${oid}（且没有撤回条目）`));
  }
}

// Every signature against the key authorised for it; returns the counted roots (raw hex -> id).
async function checkSigs(entry, sigs, unsigned, writer, roots, newRoot, ks, bad) {
  const ids = sigs.map((s) => s.key);
  if (ids.length > 1 && ids.join() !== [...new Set(ids)].sort().join()) bad("sig-order", "sigs 必须按 key 升序排列且每个密钥只出现一次");
  const entryMessage = concat(ENTRY_SIG, unsigned);
  let bodyMsg = null;
  const counted = new Map();
  let writerOk = false;
  let newRootOk = false;
  for (const s of sigs) {
    if (s.key === writer.id) {
      if (!(await edVerify(writer.raw, s.raw, entryMessage))) {
        bad("sig-invalid", `签名密钥 ${s.key.slice(0, 16)}… 的签名无效`);
        bad("sig-writer-missing", `缺少当前签名密钥 ${writer.id.slice(0, 16)}… 的有效签名`);
      }
      writerOk = true;
      continue;
    }
    if (roots.has(s.key) || (newRoot && s.key === newRoot.id)) {
      const pub = roots.get(s.key) || newRoot;
      if (bodyMsg === null) bodyMsg = concat(BODY_SIG, bodyBytes(entry));
      if (!(await edVerify(pub.raw, s.raw, bodyMsg))) bad("sig-invalid", `根密钥 ${s.key.slice(0, 16)}… 对 body 的签名无效`);
      else if (roots.has(s.key)) counted.set(pub.hex, s.key);
      else newRootOk = true;
      continue;
    }
    const record = ks ? ks.records.get(s.key) : undefined;
    if (!record) bad("sig-unknown-key", `签名来自未知密钥 ${s.key.slice(0, 16)}…`);
    else if (record.status === REVOKED) bad("sig-revoked-key", `签名来自已吊销的密钥 ${s.key.slice(0, 16)}…`);
    else if (record.status === RETIRED) bad("sig-retired-key", `签名来自已停用的密钥 ${s.key.slice(0, 16)}…`);
    else bad("sig-not-allowed", `密钥 ${s.key.slice(0, 16)}… 不是本条目的签名者`);
  }
  if (!writerOk) bad("sig-writer-missing", `缺少当前签名密钥 ${writer.id.slice(0, 16)}… 的有效签名`);
  if (newRoot && !newRootOk) bad("key-possession", "新增根密钥必须自己也签署此变更（证明持有私钥）");
  return counted;
}

// canonical_json(body): in a canonical line the body is the first member, so it is the
// bytes between `{"body":` and `,"kind":"` (the last one; kind/prev/seq/sigs/time follow).
function bodyBytes(entry) {
  const line = entry.line;
  const text = textDecoder.decode(line);
  const end = text.lastIndexOf(',"kind":"');
  return utf8(text.slice(8, end));
}

// Check the checkpoint against the scanned ledger (suiji.ledger.state.check_checkpoint).
async function checkCheckpoint(bytes, state) {
  const out = [];
  const bad = (code, message) => out.push(finding(null, code, message));
  let cp;
  try {
    cp = parseCheckpoint(parseNote(bytes).text);
  } catch (e) {
    bad("checkpoint-format", `检查点格式错误：${e.message}`);
    return { cp: null, findings: out };
  }
  const size = state.size;
  if (cp.origin !== state.origin) bad("checkpoint-origin", `检查点的 origin ${cp.origin} 与创世条目的 ${state.origin} 不符`);
  if (cp.size > size) {
    bad("checkpoint-size", `检查点记录 ${cp.size} 条，账本只有 ${size} 条完整条目：账本被截断，或检查点不属于此账本`);
    return { cp, findings: out };
  }
  if (cp.size < size - 1) bad("checkpoint-stale", `检查点只覆盖 ${cp.size} 条，账本有 ${size} 条：检查点落后超过一条`);
  const snap = state.snapshots.get(cp.size);
  if (!snap) {
    bad("checkpoint-size", `无法计算大小为 ${cp.size} 的根`);
    return { cp, findings: out };
  }
  if (b64encode(snap.root) !== cp.rootText) bad("checkpoint-root", `检查点的根哈希与账本前 ${cp.size} 条不符`);
  if (!snap.writer) bad("checkpoint-signature", "无法确定检查点的签名密钥（没有有效的创世条目）");
  else if (state.origin !== null) {
    try {
      await openNote(bytes, [{ name: state.origin, publicKey: snap.writer.raw }]);
    } catch (e) {
      bad("checkpoint-signature", `检查点签名无效（应由当时的签名密钥签署）：${e.message}`);
    }
  }
  return { cp, findings: out };
}

const yieldToUi = () => new Promise((r) => setTimeout(r, 0));

// Verify a whole ledger. `ledgerBytes`: ledger.jsonl; `checkpointBytes`: ledger/checkpoint
// or null; `getObject(hex)` -> Promise<Uint8Array|null>; `asOf`: the "now" of the rules;
// `allowDemo`: a demo ledger is a notice, not the finding `demo-ledger` (--allow-demo);
// `calendars`: the bureau's calendar files by name (content/records/calendar/), if any.
// Returns the report in the shape of `suiji verify --json` plus `entries` and `replayed`.
export async function verifyLedger({ ledgerBytes, checkpointBytes, getObject, asOf, allowDemo = false, onProgress, calendars, cosignatures = [] }) {
  const state = new LedgerState({ now: asOf, getObject });
  const lines = splitLines(ledgerBytes);
  const findings = [];
  const notices = [];
  const good = [];
  const total = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const { entry, findings: f } = await state.apply(lines[i]);
    findings.push(...f);
    if (entry && !f.length) good.push(entry);
    if (onProgress && (i % 50 === 0 || i === total - 1)) {
      onProgress({ phase: "structure", done: i + 1, total });
      await yieldToUi();
    }
  }
  findings.push(...state.finish());
  // drand beacons: each recorded round's BLS signature against the genesis's chain (§8.3)
  const beacons = [];
  const chains = new Map(((state.genesisInfo && state.genesisInfo.beacons) || []).map((c) => [c.chain_hash, c]));
  for (let i = 0; i < good.length; i++) {
    const e = good[i];
    if (e.kind !== "beacon") continue;
    const chain = chains.get(e.body.chain_hash);
    if (!chain) continue; // the replay reports an unregistered chain (beacon-chain)
    try {
      const r = verifyRound(chain, e.body.round, e.body.signature);
      beacons.push({ seq: e.seq, chain: chain.name, round: e.body.round, signature: e.body.signature, ...r });
    } catch (err) {
      findings.push(finding(e.seq, "beacon-signature", `信标签名验证失败：${err.message}`));
      good.splice(i--, 1);
    }
    if (onProgress) {
      onProgress({ phase: "beacon", done: beacons.length, total: 0 });
      await yieldToUi();
    }
  }
  // objects the replay cannot find are settled like referenced ones (§14.3.2 step 8)
  const getForReplay = async (oid) => {
    const status = state.objectStatus.get(oid);
    if (status === "corrupt" || status === "missing") return null;
    const bytes = await getObject(oid);
    return bytes && objectId(bytes) === oid ? bytes : null;
  };
  const objects = new Map();
  for (const e of good) {
    for (const oid of safeRefs(e.body)) {
      if (!objects.has(oid)) {
        const b = await getForReplay(oid);
        if (b) objects.set(oid, b);
      }
    }
  }
  let replayed = { findings: [], tasks: [] };
  if (good.length) {
    replayed = await replayLedger({
      // the six members of the contract, plus the entry hash already computed (saves a re-hash)
      entries: good.map(({ seq, prev, kind, time, body, sigs, hash }) => ({ seq, prev, kind, time, body, sigs, hash })),
      getObject: (oid) => (objects.has(oid) ? objects.get(oid) : null),
      asOf,
      calendars, // the bureau's calendar files by name (the deadlines)
      onProgress: onProgress ? (done, all) => onProgress({ phase: "replay", done, total: all }) : undefined,
    });
    findings.push(...replayed.findings);
  }
  const size = state.size;
  if (size === 0) findings.push(finding(0, "empty", "账本为空：没有创世条目"));
  let cp = null;
  if (checkpointBytes) {
    const r = await checkCheckpoint(checkpointBytes, state);
    cp = r.cp;
    findings.push(...r.findings);
    if (cp && cp.size === size - 1) notices.push(`最后一条（#${size - 1}）已完整写入但检查点尚未更新（写入中断后可接受；下次追加时补上）`);
  } else if (size > 1) findings.push(finding(null, "checkpoint-missing", "缺少检查点 ledger/checkpoint"));
  else if (size === 1) notices.push("只有创世条目，尚无检查点");
  // ledger/cosignatures/ and the witness rule (spec 19 §19.4), after the checkpoint as suiji does
  const writers = state.keys ? [...state.keys.records.values()].filter((r) => r.role === "signing" && r.status !== REVOKED).map((r) => r.pub.raw) : [];
  const witnessed = await checkWitnesses({ files: cosignatures, entries: good, snapshots: state.snapshots, writers, origin: state.origin, size, now: asOf });
  findings.push(...witnessed.findings);
  notices.push(...witnessed.notices);
  witnessSteps(replayed.tasks, witnessed, findings);
  if (state.demo) {
    notices.push(DEMO_NOTICE);
    if (!allowDemo) findings.push(finding(0, "demo-ledger", `${DEMO_NOTICE}。这是演示账本，不能作为真实抽查的证明`));
  }
  if (size && !witnessed.policy) notices.push(CLOCK_NOTICE);
  // by entry number, ledger-wide findings last; stable
  const order = findings.map((f, i) => [f, i]);
  order.sort((a, b) => (a[0].seq === null) - (b[0].seq === null) || (a[0].seq ?? 0) - (b[0].seq ?? 0) || a[1] - b[1]);
  const sorted = order.map(([f]) => f);
  return {
    ok: sorted.length === 0,
    size,
    genesis: state.genesisHash,
    origin: state.origin,
    checkpoint_size: cp ? cp.size : null,
    root: size ? b64encode(state.frontier.root()) : null,
    now: asOf,
    findings: sorted,
    notices,
    demo: state.demo,
    tasks: replayed.tasks,
    entries: good,
    beacons,
    objectsChecked: state.objectStatus.size,
    lines: lines.length,
    keys: state.keys,
    replayed,
    ...witnessed.report,
  };
}

function safeRefs(body) {
  try {
    return objectRefs(body);
  } catch {
    return [];
  }
}
