// Draws by chance and the eligibility exclusions (docs/spec/12-coverage.md §12.1–12.2).
import { cmpBytes } from "./order.js";

/** A draw counts as random when it drew fewer targets than were eligible. */
export function byChance({ eligible, targets }) {
  return (typeof targets === "number" ? targets : targets.length) < eligible;
}

/** {credit code: public reason} of the enterprises a new task of `year` may not draw. */
export function exclusions({ year, yearly_cap, exclude_drawn_this_year, draws }) {
  const counts = new Map();
  for (const d of draws) {
    if (!d.random || Number(d.drawn_on.slice(0, 4)) !== year) continue;
    for (const t of d.targets) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const out = {};
  for (const uscc of [...counts.keys()].sort(cmpBytes)) {
    const n = counts.get(uscc);
    if (n >= yearly_cap) out[uscc] = `已达年度抽查上限（${year}年已抽中${n}次，上限${yearly_cap}次）`;
    else if (exclude_drawn_this_year) out[uscc] = `本周期（${year}年）已被抽中，不重复抽取`;
  }
  return out;
}
