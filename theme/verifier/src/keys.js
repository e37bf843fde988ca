// Genesis bodies, key changes and the key state (docs/spec/05-keys.md), as the structural
// verifier needs them: the same rules, in the same order, as suiji.model.genesis,
// suiji.model.keychange and suiji.model.keystate, so both implementations give one verdict.
import { readPolicy } from "./witness.js";
import { SuijiError, hex, taggedHash } from "./encoding.js";
import { b64decodeStrict } from "./checkpoint.js";

const HEX64 = /^[0-9a-f]{64}$/;
const ORIGIN = /^[\x21-\x2a\x2c-\x7e]{1,255}$/;
export const ACTIVE = "active";
export const RETIRED = "retired";
export const REVOKED = "revoked";

// The demo's published keys (seed = H("suiji/demo-key/v1", role) for root and signing):
// only a demo ledger may carry them (finding `demo-key`).
export const DEMO_PUBLIC_KEYS = new Set([
  "1cb238ade6979839b1a2cfe671bd943bd1ed6bfc5331f2a92aab183362d07784",
  "fcd030d97e7b4ed34adc107c2e608346b44a85ddc7f666d7121c0e040c961ee9",
]);
const DEMO_KEY_FINDING = "公开的演示密钥（由演示种子派生，任何人都能用它签名），只能用于演示账本";
export { DEMO_KEY_FINDING };

const isInt = (v) => typeof v === "number" && Number.isInteger(v);
const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

export function keyId(raw) {
  return hex(taggedHash("suiji/key-id/v1", raw));
}

function fail(code, message) {
  throw new SuijiError(code, message);
}

// {"key": id, "public_key": base64} with the id re-derived.
export function parsePublic(value, where) {
  if (!isObj(value) || Object.keys(value).sort().join(",") !== "key,public_key") {
    fail("public-key", `${where} 必须是 {"key", "public_key"} 对象`);
  }
  const { key, public_key } = value;
  if (typeof key !== "string" || !HEX64.test(key) || typeof public_key !== "string") {
    fail("public-key", `${where} 的 key 必须是 64 位小写十六进制`);
  }
  let raw;
  try {
    raw = b64decodeStrict(public_key);
  } catch (e) {
    fail("public-key", `${where} 的 public_key: ${e.message}`);
  }
  if (raw.length !== 32) fail("public-key", `${where} 的 public_key 必须是 32 字节`);
  const id = keyId(raw);
  if (id !== key) fail("public-key", `${where} 的 key 与 public_key 推导出的密钥编号不符`);
  return { id, raw, b64: public_key, hex: hex(raw) };
}

const POLICY_RANGES = {
  yearly_cap: [1, 366],
  min_random_percent: [0, 100],
  disclosure_days: [1, 366],
  withheld_hours: [1, 168],
};

function parsePolicy(value) {
  if (!isObj(value)) fail("policy-type", "policy 必须是 JSON 对象");
  for (const name of Object.keys(value).sort()) {
    if (!(name in POLICY_RANGES) && name !== "disclosure_unit" && name !== "witnesses") fail("policy-unknown", `policy 不允许的字段 ${name}`);
  }
  for (const [name, [low, high]] of Object.entries(POLICY_RANGES)) {
    if (!(name in value)) continue;
    const v = value[name];
    if (!isInt(v)) fail("policy-type", `policy.${name} 必须是整数`);
    if (v < low || v > high) fail("policy-range", `policy.${name} 必须在 ${low}..${high} 之间`);
  }
  if ("disclosure_unit" in value) {
    const u = value.disclosure_unit;
    if (typeof u !== "string") fail("policy-type", "policy.disclosure_unit 必须是字符串");
    if (u !== "calendar" && u !== "working") fail("policy-range", "policy.disclosure_unit 必须是 calendar 或 working");
  }
  if ("witnesses" in value) readPolicy(value.witnesses); // spec 19 §19.2: same error codes
  return value;
}

const FACT_TYPES = { name: "string", chain_hash: "string", public_key: "string", scheme: "string", genesis_time: "number", period: "number" };
const DEMO_CHAIN = {
  name: "suiji-demo",
  chain_hash: "ad49b66ebc0b4b9bc76e231391344722edd19c0cee7282132023b8644958a0cf",
  public_key:
    "8841e2a3c56cfc6415a92e0708d896cfe4ae942f82aa8c9a0f191f8accd2fdb85f8bec051cbb909c76470c8b4c3ff08a04c472bbe1864fc9cd04d5d4210f1ebb37c40687489a3ad4d1c84f305a56242af1ee21d30a2d5e6ffd2ed8fc34b519fb",
};

// The genesis body (entry 0), checked as suiji.model.genesis.Genesis.from_json does.
export function parseGenesis(body) {
  if (!isObj(body)) fail("not-object", "body 必须是 JSON 对象");
  if (typeof body.origin !== "string" || !ORIGIN.test(body.origin)) {
    fail("bad-origin", "origin 必须是 1..255 个可打印 ASCII 字符，不含空格和 '+'");
  }
  if (typeof body.demo !== "boolean") fail("wrong-type", "demo 必须是 true 或 false");
  if (!isInt(body.draw_delay_seconds)) fail("wrong-type", "draw_delay_seconds 必须是整数");
  if (!Array.isArray(body.beacons)) fail("wrong-type", "beacons 必须是数组");
  body.beacons.forEach((b, i) => {
    if (!isObj(b)) fail("not-object", `beacons[${i}] 必须是对象`);
    for (const [name, type] of Object.entries(FACT_TYPES)) {
      const v = b[name];
      if (typeof v !== type || (type === "number" && !isInt(v))) fail("wrong-type", `beacons[${i}].${name} 缺失或类型错误`);
    }
    if (b.period < 1) fail("out-of-range", `beacons[${i}].period 必须为正`);
  });
  const names = body.beacons.map((b) => b.name);
  if (new Set(names).size !== names.length) fail("duplicate-chain", "beacons 的 name 不能重复");
  if (!body.demo && body.beacons.some((b) => ["name", "chain_hash", "public_key"].some((k) => b[k] === DEMO_CHAIN[k]))) {
    fail("demo-chain", "演示随机信标 suiji-demo 的私钥是公开的，只能用于演示账本（--demo）");
  }
  if (!Array.isArray(body.roots) || !body.roots.length) fail("wrong-type", "roots 必须是非空数组");
  const roots = body.roots.map((r, i) => parsePublic(r, `roots[${i}]`));
  const ids = roots.map((r) => r.id);
  const sorted = [...new Set(ids)].sort();
  if (ids.join() !== sorted.join() || new Set(roots.map((r) => r.hex)).size !== roots.length) {
    fail("roots-order", "roots 必须按 key 排序且互不重复");
  }
  const threshold = body.root_threshold;
  if (!isInt(threshold)) fail("wrong-type", "root_threshold 必须是整数");
  if (threshold < 1 || threshold > roots.length) fail("out-of-range", `root_threshold 必须在 1..${roots.length} 之间`);
  const signing = parsePublic(body.signing_key, "signing_key");
  if (roots.some((r) => r.hex === signing.hex)) fail("signing-is-root", "signing_key 不能同时是根密钥");
  if ("policy" in body) parsePolicy(body.policy);
  return { origin: body.origin, demo: body.demo, roots, threshold, signing, beacons: body.beacons, delay: body.draw_delay_seconds };
}

const KEY_FIELDS = {
  add: [["action", "genesis", "key", "public_key", "role"], ["threshold", "reason"]],
  retire: [["action", "genesis", "key"], ["threshold", "reason"]],
  revoke: [["action", "genesis", "key", "from_seq"], ["threshold", "reason"]],
};

// A `key` entry body, checked as suiji.model.keychange.KeyChange.from_json does.
export function parseKeyChange(body, genesisHash) {
  if (!isObj(body)) fail("not-object", "body 必须是 JSON 对象");
  const action = body.action;
  if (!Object.hasOwn(KEY_FIELDS, action)) fail("bad-action", "action 必须是 add/retire/revoke 之一");
  const [required, optional] = KEY_FIELDS[action];
  const have = Object.keys(body);
  const missing = required.filter((k) => !have.includes(k));
  const extra = have.filter((k) => !required.includes(k) && !optional.includes(k));
  if (missing.length || extra.length) fail(missing.length ? "missing-member" : "unknown-member", `字段不符：缺少 [${missing}]，多余 [${extra}]`);
  if (body.genesis !== genesisHash) fail("other-ledger", "genesis 与本账本的创世条目哈希不符（请求属于另一个账本）");
  if (typeof body.key !== "string" || !HEX64.test(body.key)) fail("bad-hash", "key 必须是 64 位小写十六进制");
  let pub = null;
  let role = null;
  if (action === "add") {
    pub = parsePublic({ key: body.key, public_key: body.public_key }, "public_key");
    role = body.role;
    if (role !== "root" && role !== "signing") fail("bad-role", "role 必须是 signing 或 root");
  }
  const threshold = body.threshold;
  if (threshold !== undefined && (!isInt(threshold) || threshold < 1)) fail("wrong-type", "threshold 必须是正整数");
  if (threshold !== undefined && role === "signing") fail("threshold-on-rotation", "更换签名密钥时不能修改根密钥门限");
  if (action === "revoke" && !isInt(body.from_seq)) fail("wrong-type", "from_seq 必须是整数");
  if ("reason" in body && typeof body.reason !== "string") fail("wrong-type", "reason 必须是字符串");
  return { action, key: body.key, pub, role, threshold: threshold ?? null, fromSeq: action === "revoke" ? body.from_seq : null };
}

// The key state: records by id, the root threshold, the one writer, approvals for disputes.
export class KeyState {
  constructor(records, threshold, writer, approvals = []) {
    this.records = records;
    this.threshold = threshold;
    this.writer = writer;
    this.approvals = approvals;
  }
  static fromGenesis(g) {
    const records = new Map();
    for (const r of g.roots) records.set(r.id, { pub: r, role: "root", status: ACTIVE, since: 0, until: null, revokedFrom: null });
    records.set(g.signing.id, { pub: g.signing, role: "signing", status: ACTIVE, since: 0, until: null, revokedFrom: null });
    return new KeyState(records, g.threshold, g.signing.id);
  }
  copy() {
    const records = new Map([...this.records].map(([k, r]) => [k, { ...r }]));
    return new KeyState(records, this.threshold, this.writer, [...this.approvals]);
  }
  roots() {
    const out = new Map();
    for (const [k, r] of this.records) if (r.role === "root" && r.status === ACTIVE) out.set(k, r.pub);
    return out;
  }
  get writerKey() {
    return this.records.get(this.writer).pub;
  }
}

// Apply a validated, sufficiently signed change at `seq` (throws Error in Chinese when it is
// impossible in this state); returns the disputed entries [{seq, key, revokedAt, fromSeq}].
export function applyKeyChange(state, change, seq, countedRoots) {
  const record = state.records.get(change.key);
  const roots = state.roots();
  const approvedUnder = state.threshold;
  const threshold = change.threshold !== null ? change.threshold : state.threshold;
  const disputes = [];
  if (change.action === "add") {
    if (record || [...state.records.values()].some((r) => r.pub.hex === change.pub.hex)) {
      throw new Error("此密钥已在本账本中出现过，不能再次添加（防止重放旧请求）");
    }
    if (change.role === "signing") {
      const old = state.records.get(state.writer);
      old.status = RETIRED;
      old.until = seq - 1;
      state.records.set(change.key, { pub: change.pub, role: "signing", status: ACTIVE, since: seq, until: null, revokedFrom: null });
      state.writer = change.key;
    } else {
      if (threshold > roots.size + 1) throw new Error(`新门限 ${threshold} 超过根密钥数 ${roots.size + 1}`);
      state.records.set(change.key, { pub: change.pub, role: "root", status: ACTIVE, since: seq + 1, until: null, revokedFrom: null });
      state.threshold = threshold;
    }
  } else if (change.action === "retire") {
    if (!record) throw new Error("要停用的密钥不在本账本中");
    if (record.status !== ACTIVE) throw new Error(`此密钥已是 ${record.status} 状态`);
    if (record.role === "signing") throw new Error("不能直接停用当前签名密钥：请用 key add --role signing 轮换");
    if (threshold > roots.size - 1) throw new Error(`停用后根密钥只剩 ${roots.size - 1} 个，低于门限 ${threshold}`);
    record.status = RETIRED;
    record.until = seq;
    state.threshold = threshold;
  } else {
    if (!record) throw new Error("要吊销的密钥不在本账本中");
    if (record.status === REVOKED) throw new Error("此密钥已被吊销");
    if (change.fromSeq > seq) throw new Error(`from_seq ${change.fromSeq} 不能晚于本条目 #${seq}`);
    if (change.key === state.writer) throw new Error("不能吊销当前签名密钥：请先用 key add --role signing 换上新密钥");
    if (record.role === "root" && record.status === ACTIVE) {
      if (threshold > roots.size - 1) throw new Error(`吊销后根密钥只剩 ${roots.size - 1} 个，低于门限 ${threshold}`);
      record.until = seq;
      state.threshold = threshold;
    } else if (change.threshold !== null) {
      throw new Error("只有吊销现行根密钥时才能修改门限");
    }
    record.status = REVOKED;
    record.revokedFrom = change.fromSeq;
    if (record.role === "signing") {
      const last = record.until !== null ? record.until : seq - 1;
      for (let s = Math.max(change.fromSeq, record.since); s <= last; s++) disputes.push({ seq: s, key: change.key, revokedAt: seq, fromSeq: change.fromSeq });
    } else {
      for (const [s, ids, thr] of state.approvals) {
        if (s >= change.fromSeq && ids.includes(change.key) && ids.length - 1 < thr) {
          disputes.push({ seq: s, key: change.key, revokedAt: seq, fromSeq: change.fromSeq });
        }
      }
    }
  }
  state.approvals.push([seq, countedRoots, approvedUnder]);
  return disputes;
}
