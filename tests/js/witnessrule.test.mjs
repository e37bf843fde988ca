// The witness rule of the browser verifier (docs/spec/19-witnesses.md §19.4) against
// `suiji verify --json` on the demo year (two demo witnesses, threshold two) and on copies
// whose cosignatures were removed, forged or left ahead of a rolled-back ledger
// (tests/support/js_witness.py): the same findings (entry, tag, code and message), and the
// task page's witness step names who cosigned each commitment and when.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyLedger } from "../../theme/verifier/src/ledger.js";
import { ROOT } from "./vectors.mjs";

const python = process.env.SUIJI_PYTHON ?? join(ROOT, ".venv/bin/python");
let fx;

before(() => {
  const work = mkdtempSync(join(tmpdir(), "suiji-js-witness-"));
  fx = JSON.parse(execFileSync(python, ["-m", "tests.support.js_witness", work], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 }));
  process.on("exit", () => rmSync(work, { recursive: true, force: true }));
});

async function verifyDir(dir) {
  const ledger = join(dir, "ledger");
  const read = (p) => (existsSync(p) ? new Uint8Array(readFileSync(p)) : null);
  const folder = join(ledger, "cosignatures");
  const cosignatures = existsSync(folder) ? readdirSync(folder).sort().map((name) => ({ name, bytes: read(join(folder, name)) })) : [];
  return verifyLedger({
    ledgerBytes: read(join(ledger, "ledger.jsonl")),
    checkpointBytes: read(join(ledger, "checkpoint")),
    getObject: async (oid) => read(join(ledger, "objects", oid)),
    cosignatures,
    asOf: fx.as_of,
    allowDemo: true,
  });
}

const key = (f) => `${f.seq} ${f.tag} ${f.code} ${f.message}`;

test("witnesses: the demo year is witnessed; every task shows who cosigned its commitment and when", async () => {
  assert.deepEqual(fx.findings, []);
  const r = await verifyDir(fx.demo);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.witness_policy, { threshold: 2, lead_seconds: 3600, witnesses: ["witness-1.demo.invalid", "witness-2.demo.invalid"] });
  assert.ok(r.witnessed.length >= 6 && r.witnessed.every((w) => w.witnessed && w.witnesses.length === 2));
  assert.ok(!r.notices.some((n) => n.startsWith("条目时间来自本局的时钟")), "no clock notice under a policy");
  for (const t of r.tasks) {
    const step = t.steps.find((s) => s.id === "witness");
    assert.ok(step && step.ok, t.task);
    assert.match(step.label, /witness-1\.demo\.invalid 于 2026-/);
    assert.match(step.label, /witness-2\.demo\.invalid 于 2026-/);
  }
});

for (const name of ["one_witness_dropped", "forged_line", "no_cosignatures", "stray_file", "rolled_back"]) {
  test(`witnesses: ${name} gives suiji verify's findings`, async () => {
    const c = fx.cases.find((x) => x.name === name);
    const r = await verifyDir(c.dir);
    assert.deepEqual(r.findings.map(key).sort(), c.findings.map(key).sort());
    if (["one_witness_dropped", "forged_line", "no_cosignatures"].includes(name)) {
      assert.ok(c.findings.some((f) => f.code === "unwitnessed"));
      const failed = r.tasks.flatMap((t) => t.steps.filter((s) => s.id === "witness" && !s.ok));
      assert.ok(failed.length > 0);
    }
  });
}
