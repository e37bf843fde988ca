// Deadline rows and findings (docs/spec/15-calendar-and-deadlines.md §15.9).
import { test } from "node:test";
import assert from "node:assert/strict";
import { deadlineRows, deadlineFindings, disclosureRule, currentResults } from "../../theme/verifier/src/deadlines.js";
import { calendarsInForce } from "../../theme/verifier/src/calendar.js";

const drawn = [{ task: "2026-009", unit: "股", group: null, window_end: "2026-09-30", targets: ["B", "A"] }];
const content = { ended_on: "2026-09-28", reported_on: "2026-10-09", feedback_on: null };
const results = [{ task: "2026-009", uscc: "A", seq: 7, content, first_time: "2026-10-20T02:00:00Z", withdrawn: false }];

test("late, overdue, due and pending deadlines, and their findings", () => {
  const cals = calendarsInForce();
  const at = (today) => deadlineRows({ drawn, results, calendars: cals, today, disclosure: disclosureRule({}) });
  const show = (rows) => rows.map((r) => [r.uscc, ...["report", "feedback", "disclosure"].map((k) => `${r[k].due.day}/${r[k].status}`)]);
  // A ended Monday 9-28, reported 10-09 (late); feedback counts from the report: Saturday 10-10 is a make-up working day.
  assert.deepEqual(show(at("2026-10-12")), [
    ["A", "2026-09-29/late", "2026-10-10/overdue", "2026-10-08/late"],
    ["B", "2026-10-08/overdue", "2026-10-09/overdue", "2026-10-10/overdue"],
  ]);
  assert.deepEqual(deadlineFindings(at("2026-10-12"), () => 5, () => 7).map((f) => `${f.seq}:${f.tag}:${f.code}`), [
    "7:compliance:report-late",
    "5:compliance:feedback-overdue",
    "7:compliance:disclosure-late",
    "5:compliance:report-overdue",
    "5:compliance:feedback-overdue",
    "5:compliance:disclosure-overdue",
  ]);
  const b = (today) => at(today)[1].disclosure;
  assert.deepEqual([b("2026-09-30").status, b("2026-10-01").status, b("2026-10-06").warning, b("2026-10-07").warning], ["pending", "due", false, true]);
});

test("a withdrawn current result leaves its target out", () => {
  const rows = deadlineRows({ drawn, results: [{ ...results[0], content: null, withdrawn: true }], calendars: calendarsInForce(), today: "2026-10-01" });
  assert.deepEqual(rows.map((r) => r.uscc), ["B"]);
  assert.deepEqual(currentResults([], () => null), []);
  assert.deepEqual(disclosureRule({ disclosure_days: 20, disclosure_unit: "working" }), { days: 20, unit: "working" });
});
