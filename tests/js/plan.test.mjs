// The plan's two forms (docs/spec/07-plans.md): the TOML a clerk writes and the plan object
// that runs. The demo's five plans rebuild byte for byte (tests/js/replay.test.mjs: no
// plan-source finding); these cases pin the normalisation and the refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalize } from "../../theme/verifier/src/encoding.js";
import { planFromToml, planFromJson, planSourceProblem } from "../../theme/verifier/src/plan.js";

const BASE = `task_id = "2026-009"
name = " 示例任务 "
year = 2026
unit = "执法大队"
kind = "定向"
ratio = "2.50%"
items_per_target = 2

[filters]
industry = ["烟花爆竹零售", "烟花爆竹批发", "烟花爆竹零售"]
key_unit = [true]

[window]
start = 2026-05-01
end = 2026-05-31
`;

test("a TOML plan becomes its normal plan object: text cleaned, values sorted and unique, ratio reduced, defaults filled", () => {
  const plan = planFromToml(BASE);
  assert.equal(plan.name, "示例任务");
  assert.deepEqual(plan.filters, { industry: ["烟花爆竹批发", "烟花爆竹零售"], key_unit: [true] });
  assert.deepEqual(plan.size, { mode: "ratio", numerator: 1, denominator: 40, text: "2.50%" });
  assert.deepEqual(plan.team, { per: "target", officers: 2, leader: true, group_officer: true, accompany: 0, load_limit: null, leader_load_limit: null, experts: { count: 0, specialties: [], load_limit: null } });
  assert.equal(plan.note, null);
  assert.deepEqual(planFromJson(JSON.parse(canonicalize(plan))), plan);
});

test("plans suiji commit refuses are refused, by the first problem", () => {
  const refused = (text) => assert.throws(() => planFromToml(text), (e) => e.code === "plan-invalid", text);
  refused(BASE.replace('ratio = "2.50%"', "count = 4.0"));
  refused(BASE.replace('ratio = "2.50%"', 'ratio = "2.50%"\ncount = 3'));
  refused(BASE.replace('kind = "定向"', 'kind = "不定向"'));
  refused(BASE.replace("start = 2026-05-01", "start = 2025-05-01"));
  refused(BASE + "colour = 1\n");
  refused(BASE + "[team]\nofficers = 1\n");
  refused(BASE.replace('industry = ["烟花爆竹零售", "烟花爆竹批发", "烟花爆竹零售"]', 'industry = ["花店"]'));
});

test("a plan object out of normal form is refused with suiji's words; plan-source compares bytes", () => {
  const plan = planFromToml(BASE);
  const shuffled = { ...plan, filters: { ...plan.filters, industry: [...plan.filters.industry].reverse() } };
  assert.throws(() => planFromJson(shuffled), (e) => e.pythonName === "PlanError" && e.message === "计划对象 $.: 不是规范形式（取值未按规定排序、去重或书写）");
  assert.equal(planSourceProblem(BASE, canonicalize(plan)), null);
  assert.match(planSourceProblem(BASE.replace("2.50%", "5%"), canonicalize(plan)), /公开的计划不是执行的计划/);
  assert.match(planSourceProblem("count = ", canonicalize(plan)), /不是有效的计划/);
});
