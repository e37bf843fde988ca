import { test } from "node:test";
import assert from "node:assert/strict";
import * as results from "../../theme/verifier/src/results.js";
import { runVectors, loadVectors } from "./lib-vectors.mjs";

runVectors("results", results, ["object", "salt", "chain"]);

const base = loadVectors("results").cases.find((c) => c.id === "object_with_penalty").input.object;
const drawn = {
  task: "2026-002",
  window_start: "2026-02-01",
  window_end: "2026-02-28",
  teams_error: null,
  alternates: ["91990101MA0000001X"],
  targets: { "91990101MA0000000X": { team: ["ZF002", "ZF006"], items: ["TY-001", "TY-012"], voided: ["ZF009"] } },
};

test("a result that is the drawn inspection has no problem", () => {
  assert.deepEqual(results.checkAgainstDraw(base, drawn), []);
});

test("result problems come in the order of §2.10.5", () => {
  const r = { ...base, team: ["ZF002", "ZF009"], findings: [{ item: "TY-001", finding: "符合" }], ended_on: "2026-03-01" };
  assert.deepEqual(results.checkAgainstDraw(r, drawn).map((p) => [p.code, p.column]), [
    ["result-team-mismatch", "team"],
    ["result-items-mismatch", "findings"],
    ["result-outside-window", "ended_on"],
  ]);
  assert.deepEqual(results.checkAgainstDraw({ ...base, uscc: "91990101MA0000001X" }, drawn).map((p) => p.code), ["result-not-drawn"]);
  assert.deepEqual(results.checkAgainstDraw(base, null).map((p) => p.code), ["result-task-unknown"]);
  const closed = { ...base, findings: [], categories: ["已关闭停业或正在组织清算"] };
  assert.deepEqual(results.checkAgainstDraw(closed, drawn), []);
});

test("versions list statuses as verify --json does", () => {
  const lc = new results.ResultLifecycle({ T: ["A"] });
  lc.result(1, { task: "T", uscc: "A", result_object: "a".repeat(64), corrects_seq: null });
  lc.result(2, { task: "T", uscc: "A", result_object: "b".repeat(64), corrects_seq: 1 });
  assert.deepEqual(lc.versions().map((v) => [v.seq, v.version, v.status]), [[1, 1, "corrected"], [2, 2, "current"]]);
  lc.withdrawal(3, { withdrawn: ["a".repeat(64), "b".repeat(64)] });
  assert.deepEqual(lc.versions().map((v) => v.status), ["withdrawn", "withdrawn"]);
  assert.ok(results.sameContent(base, { ...base, salt: "f".repeat(32) }));
});

test("a partial withdrawal marks only the versions it names; object checks", () => {
  const lc = new results.ResultLifecycle({ T: ["A"] });
  lc.result(1, { task: "T", uscc: "A", result_object: "a".repeat(64), corrects_seq: null });
  lc.result(2, { task: "T", uscc: "A", result_object: "b".repeat(64), corrects_seq: 1 });
  assert.equal(lc.withdrawal(3, { withdrawn: ["a".repeat(64)] }), "result-withdrawal-partial");
  assert.deepEqual(lc.versions().map((v) => [v.status, v.withdrawn_seq]), [["withdrawn", 3], ["current", null]]);
  assert.equal(lc.result(4, { task: "T", uscc: "A", result_object: "c".repeat(64), corrects_seq: 2 }), "result-withdrawn");
  const bytes = new TextEncoder().encode(JSON.stringify(base));
  const body = { task: base.task, uscc: base.uscc, result_object: "d".repeat(64), corrects_seq: null };
  assert.deepEqual(results.checkResultEntry(body, bytes).findings, []);
  assert.deepEqual(results.checkResultEntry({ ...body, uscc: "X" }, bytes).findings.map((f) => f.code), ["result-object-mismatch"]);
  assert.deepEqual(results.checkResultEntry(body, new TextEncoder().encode("{}")).findings.map((f) => f.code), ["result-object-invalid"]);
});
