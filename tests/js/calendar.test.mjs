import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import * as calendar from "../../theme/verifier/src/calendar.js";
import { SHIPPED_CALENDARS } from "../../theme/verifier/src/calendar-data.js";
import { runVectors } from "./lib-vectors.mjs";

runVectors("calendar", calendar, ["parse", "working_day", "add_working_days", "deadlines"]);

test("calendar-data.js holds the shipped calendar files byte for byte", () => {
  const dir = new URL("../../scripts/suiji/data/calendar/", import.meta.url);
  const files = readdirSync(dir).filter((f) => /^\d{4}\.toml$/.test(f));
  assert.deepEqual(Object.keys(SHIPPED_CALENDARS).sort(), files.map((f) => f.slice(0, 4)).sort());
  for (const f of files) assert.equal(SHIPPED_CALENDARS[f.slice(0, 4)], readFileSync(new URL(f, dir), "utf8"));
});

test("deadline status on a day (§15.9.2)", () => {
  assert.equal(calendar.deadlineStatus("2026-03-02", "2026-03-02", "2026-03-10", "2026-03-01"), "done");
  assert.equal(calendar.deadlineStatus("2026-03-02", "2026-03-03", "2026-03-10", "2026-03-01"), "late");
  assert.equal(calendar.deadlineStatus("2026-03-02", null, "2026-03-03", "2026-03-01"), "overdue");
  assert.equal(calendar.deadlineStatus("2026-03-02", null, "2026-03-01", "2026-03-01"), "pending");
  assert.equal(calendar.deadlineStatus("2026-03-02", null, "2026-03-02", "2026-03-01"), "due");
  assert.equal(calendar.shanghaiDate("2026-03-01T16:00:00Z"), "2026-03-02");
});

test("a bureau file replaces the shipped year; bytes with a BOM are refused", () => {
  const text = SHIPPED_CALENDARS[2026].replace("workdays = [2026-01-04]", "workdays = []");
  const cals = calendar.calendarsInForce({ "2026.toml": new TextEncoder().encode(text) });
  assert.equal(calendar.workingDayStatus("2026-01-04", cals).working, false);
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
  assert.throws(() => calendar.readCalendar("2026.toml", bom), { code: "calendar-encoding" });
  assert.throws(() => calendar.readCalendar("2026.toml", new Uint8Array([0xff])), { code: "calendar-encoding" });
});

test("the TOML reader: comments, multi-line arrays, literal strings; duplicates are not TOML", () => {
  const ok = `year = 2031 # comment
[notice]
title = 'literal "title"'
document = "d\\u0031"
date = 2030-11-01
[[holiday]]
name = "元旦"
first = 2031-01-01
last = 2031-01-01
workdays = [
  # none
]
[[holiday]]
name = "劳动节"
first = 2031-05-01
last = 2031-05-02
workdays = []
[[holiday]]
name = "国庆节、中秋节"
first = 2031-10-01
last = 2031-10-03
workdays = [2031-09-28,]
`;
  const c = calendar.readCalendar("2031.toml", ok);
  assert.equal(c.title, 'literal "title"');
  assert.equal(c.document, "d1");
  assert.deepEqual(c.workdays, ["2031-09-28"]);
  assert.throws(() => calendar.readCalendar("2031.toml", ok.replace("[notice]", "[notice]\ntitle = 'x'")), { code: "calendar-toml" });
  assert.throws(() => calendar.readCalendar("2031.toml", ok + "[notice]\n"), { code: "calendar-toml" });
  assert.throws(() => calendar.readCalendar("2031.toml", ok.replace("date = 2030-11-01", "date = 2030-11-01T00:00:00")), { code: "calendar-date" });
  assert.throws(() => calendar.readCalendar("2031.toml", ok.replace('name = "元旦"', 'name = "元旦、元旦"')), { code: "calendar-holiday-name" });
  assert.throws(() => calendar.readCalendar("2031.toml", ok.replace("year = 2031", "year = 2031.0")), { code: "calendar-year" });
});
