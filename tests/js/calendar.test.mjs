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
