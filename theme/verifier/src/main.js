// The page: load a ledger (site, folder or zip), verify it, show ✓ per step with the raw
// evidence folded underneath, or exactly what failed with its integrity/compliance tag;
// then the enterprise self-check. All text for people is Simplified Chinese.
import { verifyLedger } from "./ledger.js";
import { backend, forceFallback } from "./ed25519.js";
import { Unavailable, fromFiles, fromSite, fromZip } from "./load.js";
import { enterpriseView, findEnterprises } from "./replay/index.js";

const $ = (sel) => document.querySelector(sel);
const TAGS = { integrity: "完整性", compliance: "合规" };

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("data-") || k.startsWith("aria-") || k === "role" || k === "for" || k === "id") e.setAttribute(k, String(v));
    else e[k] = v;
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

function evidence(summary, value) {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 1);
  return el("details", {}, el("summary", {}, summary), el("pre", {}, text));
}

function nowText() {
  return new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

const STEP_GROUPS = [
  ["format", "每一行都是规范 JSON，字段齐全（行格式）", ["line-partial", "line-too-long", "noncanonical", "fields", "time-format", "sig-format"]],
  ["chain", "序号连续，每条都链接上一条的哈希（哈希链）", ["seq", "prev", "genesis", "no-genesis", "empty", "pin"]],
  ["time", "条目时间不倒退，也不晚于核验时点", ["time-backwards", "time-future"]],
  ["sigs", "每条签名都由当时授权的密钥签署（Ed25519），密钥变更有足够的根密钥签名", ["sig-order", "sig-invalid", "sig-writer-missing", "sig-unknown-key", "sig-retired-key", "sig-revoked-key", "sig-not-allowed", "threshold", "key-possession", "key-body", "key-change", "disputed", "demo-key"]],
  ["objects", "账本引用的每个对象都在，内容与哈希一致", ["object-ref", "object-corrupt", "object-missing", "withdrawal", "withdrawal-draw-input"]],
  ["checkpoint", "检查点覆盖全部条目，根哈希一致，由当时的签名密钥签署", ["checkpoint-format", "checkpoint-origin", "checkpoint-size", "checkpoint-stale", "checkpoint-root", "checkpoint-signature", "checkpoint-missing"]],
  ["beacons", "每个随机信标轮次的 BLS 签名有效（drand，bls12-381）", ["beacon-signature"]],
  ["cosignatures", "见证人联署的检查点属于本账本、与本账本一致（ledger/cosignatures/）", ["cosig-origin", "cosig-ahead", "cosig-log-signature", "cosig-fork"]],
];

function findingItem(f) {
  return el(
    "li",
    { "data-code": f.code, "data-seq": f.seq === null ? "" : f.seq, "data-tag": f.tag, class: "finding" },
    el("strong", {}, f.seq === null ? "整个账本" : `条目 #${f.seq}`),
    ` ［${TAGS[f.tag] || f.tag}］ `,
    el("code", {}, f.code),
    `：${f.message}`,
  );
}

function stepItem(id, ok, label, ev) {
  return el(
    "li",
    { class: ok ? "step ok" : "step bad", "data-step": id, "data-ok": ok ? "1" : "0" },
    el("span", { class: "mark", "aria-hidden": "true" }, ok ? "✓" : "✗"),
    el("span", { class: "sr" }, ok ? "通过：" : "未通过："),
    label,
    ev,
  );
}

function keyHistory(keys) {
  if (!keys) return [];
  return [...keys.records.entries()].map(([id, r]) => ({ key: id, role: r.role, status: r.status, since: r.since, until: r.until, revoked_from: r.revokedFrom }));
}

function render(report, source, which, ms) {
  const out = $("#result");
  out.replaceChildren();
  const failed = report.findings.length > 0;
  document.body.dataset.state = failed ? "failed" : "passed";
  out.append(
    el(
      "p",
      { id: "summary", class: failed ? "summary bad" : "summary ok", "data-ok": failed ? "0" : "1", role: "status" },
      failed ? `✗ 验证失败：发现 ${report.findings.length} 个问题` : `✓ 验证通过：${report.size} 条条目全部核对无误`,
    ),
    el("p", {}, `来源：${source.label}；签名验证实现：${which === "webcrypto" ? "浏览器内置 WebCrypto" : "内置 @noble/curves"}；用时 ${ms} 毫秒。`),
  );
  if (report.demo) out.append(el("p", { class: "banner" }, "演示账本：随机数可预测，不具证明力。"));
  if (failed) {
    out.append(el("h2", {}, "发现的问题"), el("ul", { id: "findings" }, report.findings.map(findingItem)));
  }
  const codes = new Set(report.findings.map((f) => f.code));
  const ledgerSteps = el("ol", { id: "ledger-steps", class: "steps" });
  const ev = {
    format: { 条目数: report.size, 行数: report.lines },
    chain: { 创世条目哈希: report.genesis, origin: report.origin },
    time: { 核验时点: report.now },
    sigs: { 密钥历史: keyHistory(report.keys) },
    objects: { 已核对对象: report.objectCount },
    checkpoint: { 检查点条目数: report.checkpoint_size, 根哈希: report.root },
    beacons: report.beacons,
    cosignatures: { 见证策略: report.witness_policy ?? "未设见证人" },
  };
  for (const [id, label, group] of STEP_GROUPS) {
    const ok = !group.some((c) => codes.has(c));
    ledgerSteps.append(stepItem(id, ok, label, evidence("原始证据", ev[id])));
  }
  out.append(el("h2", {}, "账本"), ledgerSteps);
  out.append(el("h2", {}, "各项任务"));
  const tasks = el("div", { id: "tasks" });
  const bySeq = new Map();
  for (const f of report.findings) if (f.seq !== null) bySeq.set(f.seq, [...(bySeq.get(f.seq) || []), f]);
  for (const t of report.tasks) {
    const steps = el("ol", { class: "steps" });
    for (const s of t.steps) steps.append(stepItem(s.id, s.ok, s.label, evidence("原始证据", s.evidence)));
    const allOk = t.steps.every((s) => s.ok);
    tasks.append(el("section", { class: "task", "data-task": t.task, "data-ok": allOk ? "1" : "0" }, el("h3", {}, `${allOk ? "✓" : "✗"} 任务 ${t.task} ${t.title || ""}`), steps));
  }
  if (!report.tasks.length) tasks.append(el("p", {}, "账本中还没有抽查任务。"));
  out.append(tasks);
  if (report.notices.length) out.append(el("h2", {}, "说明"), el("ul", { id: "notices" }, report.notices.map((n) => el("li", {}, n))));
  $("#self-check").hidden = false;
}

function renderUnavailable(err) {
  document.body.dataset.state = "unavailable";
  $("#result").replaceChildren(
    el("p", { id: "summary", class: "summary unavailable", "data-ok": "", role: "status" }, "数据无法获取（这不是验证失败）"),
    el("p", {}, err.message),
  );
}

let lastReport = null;

async function run(getSource) {
  const status = $("#progress-text");
  const bar = $("#progress");
  document.body.dataset.state = "running";
  $("#result").replaceChildren();
  $("#self-check").hidden = true;
  bar.hidden = false;
  bar.removeAttribute("value");
  status.textContent = "正在读取账本……";
  let source;
  try {
    source = await getSource();
  } catch (e) {
    bar.hidden = true;
    status.textContent = "";
    if (e instanceof Unavailable) return renderUnavailable(e);
    throw e;
  }
  const typed = $("#as-of").value.trim();
  const asOf = source.asOf || typed || nowText();
  $("#as-of-shown").textContent = `${asOf}（${source.asOf ? "网站构建时点" : typed ? "您指定的时点" : "本机时间"}）`;
  const which = await backend();
  const t0 = performance.now();
  let report;
  try {
    report = await verifyLedger({
      ledgerBytes: source.ledgerBytes,
      checkpointBytes: source.checkpointBytes,
      getObject: source.getObject,
      calendars: source.calendars,
      cosignatures: source.cosignatures ?? [],
      asOf,
      allowDemo: true,
      onProgress: ({ phase, done, total }) => {
        const names = { structure: "核对格式、哈希链与签名", beacon: "核对随机信标签名", replay: "复算抽取" };
        if (total) {
          bar.max = total;
          bar.value = done;
        }
        status.textContent = `${names[phase] || phase}：${done}${total ? " / " + total : ""}`;
      },
    });
  } catch (e) {
    bar.hidden = true;
    status.textContent = "";
    if (e instanceof Unavailable) return renderUnavailable(e);
    throw e;
  }
  const ms = Math.round(performance.now() - t0);
  report.objectCount = report.objectsChecked;
  bar.hidden = true;
  status.textContent = `核验完成，用时 ${ms} 毫秒`;
  document.body.dataset.ms = String(ms);
  lastReport = report;
  render(report, source, which, ms);
}

function selfCheck(ev) {
  ev.preventDefault();
  const q = $("#q").value.trim();
  const list = $("#matches");
  list.replaceChildren();
  $("#enterprise").replaceChildren();
  if (!lastReport || !q) return;
  const found = findEnterprises(lastReport.replayed, q);
  if (!found.length) {
    list.append(el("li", {}, "没有找到匹配的企业（可输入统一社会信用代码或名称的一部分）"));
    return;
  }
  for (const m of found.slice(0, 50)) {
    const b = el("button", { type: "button", class: "match", "data-code": m.code }, `${m.name} ${m.code}`);
    b.addEventListener("click", () => showEnterprise(m.code));
    list.append(el("li", {}, b));
  }
  if (found.length === 1) showEnterprise(found[0].code);
}

function showEnterprise(code) {
  const v = enterpriseView(lastReport.replayed, code);
  const box = $("#enterprise");
  const rows = (v.draws || []).map((d) =>
    el(
      "tr",
      { "data-task": d.task, "data-rank": d.rank ?? "", "data-ticket": d.ticket ?? "", "data-drawn": d.drawn ? "1" : "0", "data-excluded": d.excluded ?? "", "data-status": d.status ?? "", "data-why": d.why ?? "" },
      el("td", {}, `${d.task ?? ""} ${d.title ?? ""}`),
      el("td", {}, el("code", {}, d.ticket ?? "")),
      el("td", { class: "rank" }, d.rank ? `${d.rank}${d.of ? " / " + d.of : ""}${d.stratum ? "（" + d.stratum + "）" : ""}` : "—"),
      el("td", {}, d.reason || (d.drawn ? "已抽中" : d.excluded ? `不可抽取：${d.excluded}` : "")),
    ),
  );
  const results = (v.results || []).map((r) =>
    el("li", {}, `任务 ${r.task}：检查结果（条目 #${r.seq}）${r.withdrawn_seq ? `，已于条目 #${r.withdrawn_seq} 撤回` : ""}`),
  );
  box.replaceChildren(
    el("h3", {}, `${v.name || ""} ${v.code}`),
    el(
      "table",
      { id: "enterprise-draws" },
      el("caption", {}, "参加过的抽取：票号与名次（名次越小越先抽中，在所属分层内计）"),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "任务"), el("th", { scope: "col" }, "票号"), el("th", { scope: "col" }, "名次"), el("th", { scope: "col" }, "结果"))),
      el("tbody", {}, rows),
    ),
    el("h4", {}, "检查结果"),
    results.length ? el("ul", { id: "enterprise-results" }, results) : el("p", {}, "没有登记的检查结果。"),
    evidence("原始数据", { draws: v.draws, results: v.results }),
  );
}

function start() {
  const params = new URLSearchParams(location.search);
  if (params.get("noble") === "1") forceFallback(true);
  $("#as-of").value = params.get("as_of") || "";
  // webkitdirectory is not in the HTML standard (the validator refuses it in markup), but
  // every browser that can pick a folder honours the property.
  $("#pick-folder").webkitdirectory = true;
  $("#pick-folder").addEventListener("change", (e) => e.target.files.length && run(() => fromFiles(e.target.files)));
  $("#pick-zip").addEventListener("change", (e) => e.target.files.length && run(() => fromZip(e.target.files[0])));
  $("#from-site").addEventListener("click", () => run(() => fromSite(new URL(".", location.href).href)));
  $("#self-check form").addEventListener("submit", selfCheck);
  const online = location.protocol === "http:" || location.protocol === "https:";
  $("#from-site").hidden = !online;
  if (online && params.get("auto") !== "0") run(() => fromSite(new URL(".", location.href).href));
  else document.body.dataset.state = "idle";
}

window.addEventListener("error", (e) => {
  const r = $("#result");
  if (r) r.append(el("p", { class: "summary bad" }, `页面出错：${e.message}`));
});
start();
