// Working-day calendars and the seed document's deadlines
// (docs/spec/15-calendar-and-deadlines.md): one TOML file per year, working days, adding
// working or calendar days, the three deadlines of an inspection and their status on a day.
import { SuijiError, taggedHash, utf8, hex } from "./encoding.js";
import { parseToml, TomlDate, TomlDateTime, TomlFloat } from "./toml.js";
import { SHIPPED_CALENDARS } from "./calendar-data.js";
import { dayNumber, dayFromNumber } from "./records.js";

export const FESTIVALS = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"];
const FIXED_STATUTORY = ["01-01", "05-01", "05-02", "10-01", "10-02", "10-03"];
const MAX_HOLIDAY_DAYS = 14;
export const MAX_DAYS = 366;

function fail(code, message) {
  throw new SuijiError(code, message);
}

/** Day of the week of "YYYY-MM-DD": 0 = Monday … 6 = Sunday (Python's weekday()). */
export function weekday(day) {
  return (((dayNumber(day) + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}
/** "YYYY-MM-DD" plus n days. */
export function addDays(day, n) {
  return dayFromNumber(dayNumber(day) + n);
}

function checkKeys(table, allowed, required, where) {
  const keys = Object.keys(table);
  const unknown = keys.filter((k) => !allowed.includes(k)).sort();
  if (unknown.length) fail("calendar-key", `${where}中有不认识的键 ${unknown.join("、")}`);
  const missing = required.filter((k) => !keys.includes(k)).sort();
  if (missing.length) fail("calendar-key", `${where}缺少 ${missing.join("、")}`);
}
function checkText(v, what) {
  if (typeof v !== "string" || !v.trim() || v !== v.trim()) {
    fail("calendar-key", `${what}应是一段不为空、首尾无空格的文字`);
  }
  return v;
}
function checkDate(v, what, year) {
  if (!(v instanceof TomlDate)) fail("calendar-date", `${what}应是不加引号的日期（如 2026-02-15）`);
  if (year !== null && +v.iso.slice(0, 4) !== year) fail("calendar-date", `${what} ${v.iso} 不在 ${year} 年内`);
  return v.iso;
}
const isPlainTable = (v) =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof TomlDate) && !(v instanceof TomlDateTime) && !(v instanceof TomlFloat);

/**
 * Read one calendar file (§15.1–15.2).
 * @param {string} file its name, "<year>.toml" (a path is allowed; its last part is used)
 * @param {string|Uint8Array} data the file's bytes (or its text, hashed as UTF-8)
 * @returns {{year, title, document, notice_date, note, holidays: [{name, first, last, workdays}],
 *   days_off: string[], workdays: string[], hash: string}} days sorted; hash = H("suiji/object/v1", bytes)
 * @throws SuijiError with the calendar-* codes of §15.2
 */
export function readCalendar(file, data) {
  const name = file.split("/").pop();
  const m = /^([0-9]{4})\.toml$/.exec(name);
  if (!m) fail("calendar-file-name", `日历文件名应为“四位年份.toml”（如 2026.toml），而不是 ${name}`);
  const year = +m[1];
  let bytes = data;
  let text = data;
  if (typeof data === "string") bytes = utf8(data);
  else {
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(data);
    } catch {
      fail("calendar-encoding", "日历文件必须用 UTF-8 编码保存");
    }
  }
  if (text.startsWith("\ufeff")) fail("calendar-encoding", "日历文件开头有字节顺序标记（BOM）：请用“UTF-8（无 BOM）”另存");
  const raw = parseToml(text);
  checkKeys(raw, ["year", "notice", "holiday"], ["year", "notice", "holiday"], "文件顶层");
  if (!Number.isInteger(raw.year) || raw.year !== year) fail("calendar-year", `year 与文件名 ${year}.toml 不一致`);
  const notice = raw.notice;
  if (!isPlainTable(notice)) fail("calendar-key", "notice 应是一个表 [notice]");
  checkKeys(notice, ["title", "document", "date", "note"], ["title", "document", "date"], "[notice] ");
  const entries = raw.holiday;
  if (!Array.isArray(entries) || !entries.length) fail("calendar-key", "holiday 应是一个或多个 [[holiday]] 表");
  const holidays = entries.map((e) => readHoliday(e, year));
  const seen = new Set();
  for (const h of holidays) {
    for (const d of [...rangeDays(h.first, h.last), ...h.workdays]) {
      if (seen.has(d)) fail("calendar-day-twice", `${d} 写了两次（放假日与调休上班日、或两次放假重叠）`);
      seen.add(d);
    }
  }
  const off = new Set(holidays.flatMap((h) => rangeDays(h.first, h.last)));
  for (const md of FIXED_STATUTORY) {
    if (!off.has(`${year}-${md}`)) fail("calendar-missing-statutory", `法定节假日 ${year}-${md} 不在任何 [[holiday]] 的放假日内`);
  }
  const cal = {
    year,
    title: checkText(notice.title, "notice.title（通知标题）"),
    document: checkText(notice.document, "notice.document（文号）"),
    notice_date: checkDate(notice.date, "notice.date（发文日期）", null),
    note: "note" in notice ? checkText(notice.note, "notice.note（备注）") : null,
    holidays,
    hash: hex(taggedHash("suiji/object/v1", bytes)),
  };
  cal.days_off = [...off].sort();
  cal.workdays = holidays.flatMap((h) => h.workdays).sort();
  return cal;
}

function readHoliday(entry, year) {
  if (!isPlainTable(entry)) fail("calendar-key", "每个 [[holiday]] 应是一个表");
  checkKeys(entry, ["name", "first", "last", "workdays"], ["name", "first", "last", "workdays"], "[[holiday]] ");
  const name = checkText(entry.name, "holiday.name（节日名称）");
  const parts = name.split("、");
  if (parts.some((p) => !FESTIVALS.includes(p)) || new Set(parts).size !== parts.length) {
    fail("calendar-holiday-name", `节日名称“${name}”不认识：应是 ${FESTIVALS.join("、")} 之一`);
  }
  const first = checkDate(entry.first, `${name}的 first（放假首日）`, year);
  const last = checkDate(entry.last, `${name}的 last（放假末日）`, year);
  if (last < first || dayNumber(last) - dayNumber(first) + 1 > MAX_HOLIDAY_DAYS) {
    fail("calendar-range", `${name}的放假日 ${first} 至 ${last} 不对`);
  }
  if (!Array.isArray(entry.workdays)) fail("calendar-date", `${name}的 workdays（调休上班日）应是日期列表`);
  const workdays = entry.workdays.map((d) => checkDate(d, `${name}的调休上班日`, year));
  for (const d of workdays) {
    if (weekday(d) < 5) fail("calendar-workday-not-weekend", `${name}的调休上班日 ${d} 不是周六或周日`);
  }
  return { name, first, last, workdays };
}

function rangeDays(first, last) {
  const out = [];
  for (let n = dayNumber(first); n <= dayNumber(last); n++) out.push(dayFromNumber(n));
  return out;
}

/**
 * The calendars in force: the shipped files, each replaced by a bureau's file of the same year.
 * @param {{[file: string]: string|Uint8Array}} [bureauFiles] content/records/calendar/* by name
 * @returns {Map<number, object>} year → readCalendar(...) result (with Sets for lookups)
 * @throws SuijiError if any file (a bureau's included) is invalid — §15.9.3: the caller then
 *   falls back to calendarsInForce() and reports `deadline-calendar`
 */
export function calendarsInForce(bureauFiles = {}) {
  const out = new Map();
  for (const [year, text] of Object.entries(SHIPPED_CALENDARS)) out.set(+year, prepared(readCalendar(`${year}.toml`, text)));
  for (const [file, data] of Object.entries(bureauFiles).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const cal = readCalendar(file, data);
    out.set(cal.year, prepared(cal));
  }
  return out;
}
function prepared(cal) {
  cal.offSet = new Set(cal.days_off);
  cal.workSet = new Set(cal.workdays);
  return cal;
}
/** Calendars (Map year → calendar) for a list of shipped years, as the vectors name them. */
export function shippedCalendars(years) {
  const out = new Map();
  for (const y of years) {
    if (!(y in SHIPPED_CALENDARS)) throw new Error(`no shipped calendar for ${y}`);
    out.set(y, prepared(readCalendar(`${y}.toml`, SHIPPED_CALENDARS[y])));
  }
  return out;
}

/**
 * Whether a day is a working day (§15.4).
 * @param {string} day YYYY-MM-DD
 * @param {Map<number, object>} calendars
 * @returns {{working: boolean, provisional: boolean, hash: string|null}}
 */
export function workingDayStatus(day, calendars) {
  const cal = calendars.get(+day.slice(0, 4));
  if (cal) {
    const working = cal.workSet.has(day) || (weekday(day) < 5 && !cal.offSet.has(day));
    return { working, provisional: false, hash: cal.hash };
  }
  return { working: weekday(day) < 5 && !FIXED_STATUTORY.includes(day.slice(5)), provisional: true, hash: null };
}

function checkCount(n) {
  if (!Number.isInteger(n) || n < 1 || n > MAX_DAYS) fail("deadline-days", `期限天数应是 1 到 ${MAX_DAYS} 之间的整数，而不是 ${n}`);
}

/** How to make a provisional deadline final: the file(s) to add. */
export function provisionalNote(years) {
  const names = years.map((y) => `content/records/calendar/${y}.toml`).join("、");
  return (
    `${years.join("、")} 年没有官方日历文件，只按周末和固定日期的法定节假日（元旦、劳动节、国庆）推算，` +
    `春节等农历节日和调休未计入，期限是暂定的。国务院办公厅公布当年放假安排后，` +
    `请照 docs/spec/15-calendar-and-deadlines.md 的格式写 ${names}`
  );
}

/**
 * The n-th working day strictly after `day` (§15.5).
 * @returns {{day: string, provisional: boolean, calendars: {[year: string]: string|null}, note?: string}}
 *   `calendars`: every year looked at → its calendar's hash, null without a file
 * @throws SuijiError deadline-days
 */
export function workingDaysAfter(day, n, calendars) {
  checkCount(n);
  const used = {};
  let current = dayNumber(day);
  let left = n;
  let d = day;
  while (left) {
    current++;
    d = dayFromNumber(current);
    const s = workingDayStatus(d, calendars);
    used[d.slice(0, 4)] = s.hash;
    if (s.working) left--;
  }
  return deadline(d, used);
}
function deadline(day, used) {
  const missing = Object.keys(used).filter((y) => used[y] === null).sort();
  const out = { day, provisional: missing.length > 0, calendars: used };
  if (missing.length) Object.defineProperty(out, "note", { value: provisionalNote(missing), enumerable: false });
  return out;
}

/** n calendar days from the day after `day` (day 1 is day + 1); never provisional. */
export function addCalendarDays(day, n) {
  checkCount(n);
  return { day: addDays(day, n), provisional: false, calendars: {} };
}

/**
 * The three deadlines of an inspection (§15.6).
 * @param {{inspectionEnd: string, calendars: Map, disclosure?: {days: number, unit: "calendar"|"working"},
 *   reportOn?: string|null}} args
 * @returns {{report, feedback, disclosure}} each as workingDaysAfter returns
 * @throws SuijiError deadline-days | deadline-unit
 */
export function inspectionDeadlines({ inspectionEnd, calendars, disclosure = { days: 10, unit: "calendar" }, reportOn = null }) {
  checkCount(disclosure.days);
  if (disclosure.unit !== "calendar" && disclosure.unit !== "working") {
    fail("deadline-unit", `公示期限的单位应是 calendar（自然日）或 working（工作日），而不是 ${disclosure.unit}`);
  }
  const report = workingDaysAfter(inspectionEnd, 1, calendars);
  const feedback = workingDaysAfter(reportOn === null || reportOn === undefined ? report.day : reportOn, 1, calendars);
  const published =
    disclosure.unit === "calendar" ? addCalendarDays(inspectionEnd, disclosure.days) : workingDaysAfter(inspectionEnd, disclosure.days, calendars);
  return { report, feedback, disclosure: published };
}

/**
 * The status of one deadline on day `today` (§15.9.2).
 * @param {string} due the due day; @param {string|null} doneOn the day it was done
 * @param {string} today; @param {string} end the day the inspection ended (E)
 * @returns {"done"|"late"|"overdue"|"pending"|"due"}
 */
export function deadlineStatus(due, doneOn, today, end) {
  if (doneOn) return doneOn <= due ? "done" : "late";
  if (today > due) return "overdue";
  if (today <= end) return "pending";
  return "due";
}

/**
 * The day an open disclosure deadline starts warning: day max(1, n − 3) of its n days,
 * counted like the period itself (§15.9.2).
 */
export function disclosureWarningDay(end, disclosure, calendars) {
  const k = Math.max(1, disclosure.days - 3);
  return disclosure.unit === "calendar" ? addDays(end, k) : workingDaysAfter(end, k, calendars).day;
}

/** The civil date (Asia/Shanghai, UTC+8) of an RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SSZ". */
export function shanghaiDate(time) {
  const t = Date.parse(time) + 8 * 3600 * 1000;
  return new Date(t).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------- vector kinds

export function parse(input) {
  const c = readCalendar(input.file, input.text);
  return { year: c.year, document: c.document, notice_date: c.notice_date, days_off: c.days_off, workdays: c.workdays, hash: c.hash };
}
export function workingDay(input) {
  const s = workingDayStatus(input.day, shippedCalendars(input.calendars));
  return { working: s.working, provisional: s.provisional };
}
export function addWorkingDays(input) {
  return workingDaysAfter(input.day, input.n, shippedCalendars(input.calendars));
}
export function deadlines(input) {
  return inspectionDeadlines({
    inspectionEnd: input.inspection_end,
    calendars: shippedCalendars(input.calendars),
    disclosure: input.disclosure,
    reportOn: input.report_on ?? null,
  });
}
