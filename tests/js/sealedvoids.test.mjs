// Sealed person voids (docs/spec/18-sealed.md §18.12) in the browser replay: a bureau built
// by Python (tests/support/js_sealed_voids.py, as tests/test_sealed_voids.py builds it) whose
// sealed task has a sealed void disclosed at the reveal and replaced after it, and copies
// re-signed with a forged, missing or repeated disclosure, a sealed void of another
// commitment, and a second sealed void of the same person; the findings equal `suiji verify --json`'s.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replayLedger } from "../../theme/verifier/src/replay/index.js";
import { ROOT } from "./vectors.mjs";

const SRC = join(ROOT, "theme/verifier/src");
const DEADLINE_CODES = ["report-overdue", "feedback-overdue", "disclosure-overdue", "report-late", "feedback-late", "disclosure-late", "deadline-calendar"];
const PENDING = new Set(existsSync(join(SRC, "calendar.js")) ? [] : DEADLINE_CODES);
const python = process.env.SUIJI_PYTHON ?? join(ROOT, ".venv/bin/python");
let fx;

function load(dir) {
  const lines = readFileSync(join(dir, "ledger", "ledger.jsonl"), "utf8").split("\n").filter(Boolean);
  const entries = lines.map((l) => JSON.parse(l));
  const getObject = (h) => {
    const p = join(dir, "ledger", "objects", h);
    return existsSync(p) ? new Uint8Array(readFileSync(p)) : null;
  };
  return { entries, getObject };
}

before(() => {
  const work = mkdtempSync(join(tmpdir(), "suiji-sv-"));
  const out = execFileSync(python, ["-m", "tests.support.js_sealed_voids", work], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  fx = JSON.parse(out);
  process.on("exit", () => rmSync(work, { recursive: true, force: true }));
});

const key = (f) => `${f.seq} ${f.tag} ${f.code}`;

// the rules each case must trigger, deadlines aside (revealed: none, the void is disclosed and replaced)
const EXPECTED = {
  revealed: [],
  forged: ["sealed-void-disclosure"],
  missing: ["sealed-void-undisclosed"],
  other_commitment: ["sealed-void-task", "sealed-void-disclosure"],
  twice: ["sealed-void-disclosure"],
  slot_again: ["void-slot-again"],
};

test("sealed voids: the fixture holds every case", () => {
  assert.deepEqual(fx.cases.map((c) => c.name), Object.keys(EXPECTED));
});

for (const [name, codes] of Object.entries(EXPECTED)) {
  test(`sealed voids: ${name} gives suiji verify's findings`, async () => {
    const c = fx.cases.find((x) => x.name === name);
    const expected = c.findings.filter((f) => !PENDING.has(f.code));
    assert.deepEqual(expected.filter((f) => !DEADLINE_CODES.includes(f.code)).map((f) => f.code), codes);
    const { entries, getObject } = load(c.dir);
    const kinds = entries.map((e) => e.kind);
    assert.equal(kinds[fx.sealed_seq], "sealed-void");
    if (name === "revealed") assert.ok(kinds.includes("person-replace"));
    const replayed = await replayLedger({ entries, getObject, asOf: fx.as_of });
    const got = replayed.findings.filter((f) => !PENDING.has(f.code));
    assert.deepEqual(got.map(key), expected.map(key));
    assert.deepEqual(
      got.map((f) => f.message),
      expected.map((f) => f.message),
    );
    if (name === "revealed") {
      const voids = replayed.tasks.flatMap((t) => t.steps.filter((s) => s.id === "voids"));
      assert.ok(voids.length && voids.every((s) => s.ok), JSON.stringify(voids).slice(0, 400));
    }
  });
}
