// The decisive test of the browser verifier's semantic replay: the demo ledger (built by
// Python once) replays with no finding and every step ✓; tickets and ranks equal
// `suiji ticket`'s; and on copies tampered and re-signed with the demo key the findings
// equal `suiji verify --json`'s (entry, tag, code and message).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replayLedger, enterpriseView, findEnterprises } from "../../theme/verifier/src/replay/index.js";
import { ROOT } from "./vectors.mjs";

// The deadlines (docs/spec/15 §15.9.3) need calendar.js and the registry rules (§2.9)
// registry.js, both i16-lib's: replayLedger uses them when the build has them. Only while
// a file is absent are its codes left out of the comparison — a visible, named gap.
const SRC = join(ROOT, "theme/verifier/src");
const DEADLINE_CODES = ["report-overdue", "feedback-overdue", "disclosure-overdue", "report-late", "feedback-late", "disclosure-late", "deadline-calendar"];
const REGISTRY_CODES = ["registry-dropped", "registry-reinstated", "registry-backdated", "registry-flip", "uscc-invalid", "vocabulary", "id-charset", "id-confusable", "cert-duplicate", "person-id-clash", "same-name-address"];
const PENDING = new Set([
  ...(existsSync(join(SRC, "calendar.js")) ? [] : DEADLINE_CODES),
  ...(existsSync(join(SRC, "registry.js")) ? [] : REGISTRY_CODES),
]);

const python = process.env.SUIJI_PYTHON ?? join(ROOT, ".venv/bin/python");
let fx;
let work;

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
  work = mkdtempSync(join(tmpdir(), "suiji-js-"));
  const out = execFileSync(python, ["-m", "tests.support.js_fixtures", work], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  fx = JSON.parse(out);
  process.on("exit", () => rmSync(work, { recursive: true, force: true }));
});

const key = (f) => `${f.seq} ${f.tag} ${f.code}`;

test("replay: the demo ledger has no finding, every step of every task is ✓, in well under 5 s", async () => {
  assert.deepEqual(fx.findings, []);
  const { entries, getObject } = load(fx.demo);
  const progress = [];
  const t0 = performance.now();
  const replayed = await replayLedger({ entries, getObject, asOf: fx.as_of, onProgress: (d, t) => progress.push([d, t]) });
  const ms = performance.now() - t0;
  assert.deepEqual(replayed.findings, []);
  assert.equal(replayed.deadlines_checked, existsSync(join(SRC, "calendar.js")));
  assert.ok(ms < 2500, `replay took ${ms} ms`);
  assert.deepEqual(progress.at(-1), [entries.length, entries.length]);
  const tasks = replayed.tasks.map((t) => t.task);
  assert.deepEqual(tasks, ["2026-001", "2026-002", "2026-003", "2026-004", "2026-005", "2026-006"]);
  const reveal = replayed.tasks.find((t) => t.task === "2026-006").steps.find((s) => s.id === "reveal");
  assert.ok(reveal && reveal.ok, "the sealed task shows its reveal step");
  for (const t of replayed.tasks) {
    assert.ok(t.title, t.task);
    assert.ok(t.steps.length >= 6, `${t.task}: ${t.steps.map((s) => s.id)}`);
    for (const s of t.steps) assert.equal(s.ok, true, `${t.task} ${s.id}: ${JSON.stringify(s.evidence).slice(0, 400)}`);
  }
  const voids = replayed.tasks.find((t) => t.task === "2026-003").steps.find((s) => s.id === "voids");
  assert.ok(voids && voids.ok);
});

test("replay: tickets and ranks equal `suiji ticket` for 20 random enterprises of the demo", async () => {
  const { entries, getObject } = load(fx.demo);
  const replayed = await replayLedger({ entries, getObject, asOf: fx.as_of });
  assert.equal(fx.tickets.length, 20);
  assert.ok(fx.tickets.some((t) => t.drawn) || true);
  assert.ok(fx.tickets.some((t) => !t.drawn), "some were never drawn");
  for (const t of fx.tickets) {
    const view = enterpriseView(replayed, t.code);
    assert.equal(view.code, t.code);
    const d = view.draws.find((x) => x.task === t.task);
    assert.ok(d, `${t.code} in ${t.task}`);
    assert.equal(d.ticket, t.ticket, `${t.code} ${t.task}`);
    assert.equal(d.rank, t.rank, `${t.code} ${t.task} rank`);
    assert.equal(d.of, t.of, `${t.code} ${t.task} of`);
    assert.equal(d.drawn, t.drawn, `${t.code} ${t.task} drawn`);
  }
});

test("replay: the self-check finds a drawn enterprise by part of its name and shows its draws and results", async () => {
  const { entries, getObject } = load(fx.demo);
  const replayed = await replayLedger({ entries, getObject, asOf: fx.as_of });
  const drawTarget = entries.find((e) => e.kind === "draw" && e.body.task === "2026-003").body.targets[0];
  const view = enterpriseView(replayed, drawTarget.toLowerCase());
  assert.ok(view.name);
  const found = findEnterprises(replayed, view.name.slice(2, 6));
  assert.ok(found.some((e) => e.code === drawTarget), JSON.stringify(found));
  assert.deepEqual(findEnterprises(replayed, drawTarget.slice(0, 12)).some((e) => e.code === drawTarget), true);
  const d = view.draws.find((x) => x.task === "2026-003");
  assert.equal(d.drawn, true);
  assert.equal(d.rank, 1);
  assert.ok(view.results.some((r) => r.task === "2026-003"));
});

const TAMPERS = ["population_short", "swap_target", "swap_team_member", "dice_after_round", "change_quota", "swap_item", "other_replacement", "void_on_a_public_round", "replacement_seed", "late_commit_void", "seed", "drop_enterprise", "bad_snapshot_column", "plan_source_differs", "plan_not_normal", "sealed_wrong_secret", "sealed_as_draw", "sealed_deadline_moved", "sealed_deadline_earlier", "sealed_terms_dropped", "withheld", "sealed_unrevealed"];

// the sealed-draw rule (docs/spec/18-sealed.md) each sealed tamper must trigger
const SEALED_CODE = {
  sealed_wrong_secret: "reveal-secret",
  sealed_as_draw: "draw-sealed",
  sealed_deadline_moved: "sealed-terms",
  sealed_deadline_earlier: "reveal-late",
  sealed_terms_dropped: "reveal-unsealed",
  sealed_unrevealed: "withheld",
};

test("replay: the fixture holds every tamper", () => {
  assert.deepEqual(fx.cases.map((c) => c.name), TAMPERS);
});

for (const name of TAMPERS) {
  test(`replay: ${name} re-signed with the demo key gives suiji verify's findings`, async () => {
    const c = fx.cases.find((x) => x.name === name);
    const expected = c.findings.filter((f) => !PENDING.has(f.code));
    assert.ok(expected.some((f) => f.seq === c.changed), "the tampered entry itself is reported");
    if (SEALED_CODE[name]) assert.ok(expected.some((f) => f.code === SEALED_CODE[name]), `${name}: ${SEALED_CODE[name]}`);
    const { entries, getObject } = load(c.dir);
    const replayed = await replayLedger({ entries, getObject, asOf: fx.as_of });
    assert.deepEqual(replayed.findings.map(key), expected.map(key));
    assert.deepEqual(
      replayed.findings.map((f) => f.message),
      expected.map((f) => f.message),
    );
    const failed = replayed.tasks.flatMap((t) => t.steps.filter((s) => !s.ok));
    assert.ok(failed.length > 0);
  });
}

test("replay: a bureau calendar file is judged as suiji verify judges it (an invalid one: deadline-calendar, shipped calendars stand in)", async () => {
  const dir = join(work, "calendar");
  cpSync(fx.demo, dir, { recursive: true });
  mkdirSync(join(dir, "content", "records", "calendar"), { recursive: true });
  const bad = "year = 2026.0\n";
  writeFileSync(join(dir, "content", "records", "calendar", "2026.toml"), bad);
  const run = spawnSync(python, ["-m", "suiji", "--root", dir, "--now", fx.as_of, "verify", "--json", "--allow-demo"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(run.status, 1, run.stderr);
  const expected = JSON.parse(run.stdout).findings;
  assert.deepEqual(expected.map((f) => f.code), ["deadline-calendar"]);
  const { entries, getObject } = load(dir);
  const replayed = await replayLedger({ entries, getObject, asOf: fx.as_of, calendars: { "2026.toml": new TextEncoder().encode(bad) } });
  assert.deepEqual(replayed.findings.map(key), expected.map(key));
});
