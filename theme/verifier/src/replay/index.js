// THROW-AWAY STAND-IN with the exports of the contract (DESIGN-16): the semantic replay
// belongs to the replay branch, whose file replaces this one at the merge. It re-derives
// nothing; it lists each task's entries so the page can be built and tested end to end.
import { canonicalize } from "../encoding.js";

const dec = new TextDecoder();

// Tells the conformance tests that semantic findings are not produced yet.
export const STUB = true;

export async function replayLedger({ entries, getObject, asOf, onProgress }) {
  void asOf;
  const tasks = new Map();
  const task = (id) => {
    if (!tasks.has(id)) tasks.set(id, { task: id, title: "", steps: [], _entries: [] });
    return tasks.get(id);
  };
  let done = 0;
  for (const e of entries) {
    const b = e.body;
    if (typeof b.task === "string") {
      const t = task(b.task);
      t._entries.push(e);
      if (e.kind === "commit") {
        t.title = b.name || t.title;
        t.steps.push({ id: `commit-${e.seq}`, ok: true, label: `承诺（条目 #${e.seq}）已签名并链接到账本`, evidence: { entry: e.seq, time: e.time, body: b } });
      } else if (e.kind === "draw") {
        const obj = b.result_object ? getObject(b.result_object) : null;
        t.steps.push({
          id: `draw-${e.seq}`,
          ok: true,
          label: `抽取（条目 #${e.seq}）已签名；结果对象与哈希一致`,
          evidence: { entry: e.seq, time: e.time, targets: b.targets, result_object: obj ? dec.decode(obj).slice(0, 2000) : null },
        });
      } else {
        t.steps.push({ id: `${e.kind}-${e.seq}`, ok: true, label: `${e.kind}（条目 #${e.seq}）已签名并链接`, evidence: { entry: e.seq, body: JSON.parse(canonicalize(b)) } });
      }
    }
    done++;
    if (onProgress && done % 50 === 0) onProgress(done, entries.length);
  }
  const list = [...tasks.values()].sort((a, b) => (a.task < b.task ? -1 : 1));
  return { findings: [], tasks: list.map(({ task: id, title, steps }) => ({ task: id, title, steps })), _tasks: list };
}

export function enterpriseView(replayed, creditCode) {
  void replayed;
  return { code: creditCode, name: "", draws: [], results: [] };
}

export function findEnterprises(replayed, query) {
  void replayed;
  void query;
  return [];
}
