// Registry history and fairness rules (docs/spec/02-records.md §2.9) on small snapshots.
import { test } from "node:test";
import assert from "node:assert/strict";
import { snapshotText, objectHash } from "../../theme/verifier/src/records.js";
import { RegistryChecker, fairnessProblems, compareSnapshots } from "../../theme/verifier/src/registry.js";
import { utf8 } from "../../theme/verifier/src/encoding.js";

const ent = (uscc, over = {}) => ({
  uscc, name: `企业${uscc.slice(-3)}`, industry: "烟花爆竹零售", affiliation: "其他", township: "城关镇",
  district: "第一片区", scale: "微型", risk: "低风险", key_unit: false, complaints: false, accidents: false,
  penalties: false, serious_violation: false, blacklist: false, major_hazard: false, address: "",
  added_on: "2025-01-01", updated_on: null, status: "在册", retired_on: null, retire_reason: "", ...over,
});
const A = "91110000600037341L";
const B = "91110108551385082Q";
const C = "91310115591693856A";

function ledger(snapshots) {
  const store = new Map();
  const commits = snapshots.map((rows, i) => {
    const text = snapshotText("enterprises", rows);
    const oid = objectHash(text);
    store.set(oid, utf8(text));
    return { seq: 10 + i, body: { task: `2026-00${i + 1}`, as_of: `2026-0${i + 1}-01`, snapshots: { enterprises_object: oid } } };
  });
  const checker = new RegistryChecker();
  const findings = commits.flatMap((c) => checker.check(c.seq, c.body, (o) => store.get(o) ?? null));
  return { findings: findings.map((f) => [f.seq, f.tag, f.code]), checker };
}

test("a dropped row, a reinstated row and a back-dated retirement", () => {
  const { findings } = ledger([
    [ent(A), ent(B), ent(C, { status: "注销", retired_on: "2025-06-01", retire_reason: "注销" })],
    [ent(A, { status: "关闭", retired_on: "2025-12-01", retire_reason: "关闭" }), ent(C)],
  ]);
  assert.deepEqual(findings, [
    [11, "integrity", "registry-dropped"],
    [11, "compliance", "registry-reinstated"],
    [11, "integrity", "registry-backdated"],
  ]);
});

test("a value flipped for one commitment is registry-flip at that commitment; changes are listed", () => {
  const { findings, checker } = ledger([[ent(A)], [ent(A, { key_unit: true })], [ent(A)]]);
  assert.deepEqual(findings, [[11, "compliance", "registry-flip"]]);
  assert.deepEqual(checker.changes.map((c) => [c.column, c.old, c.new, c.before.seq, c.after.seq]), [
    ["key_unit", false, true, 10, 11],
    ["key_unit", true, false, 11, 12],
  ]);
});

test("fairness rules on one snapshot", () => {
  const rows = {
    enterprises: [ent(A, { name: "同名", address: "一路1号" }), ent(B, { name: "同名", address: "一路1号", industry: "烟花" }), ent("91110000600037341K")],
  };
  assert.deepEqual(fairnessProblems(rows).map((p) => [p.row, p.code, p.tag]), [
    [B, "vocabulary", "integrity"],
    ["91110000600037341K", "uscc-invalid", "integrity"],
    [A, "same-name-address", "compliance"],
  ]);
  assert.deepEqual(compareSnapshots("enterprises", [ent(A)], [ent(A)]).changes, []);
});
