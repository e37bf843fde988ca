/* 通知书核验: an enterprise types the task, its credit code and the code from its notice;
   the page recomputes PBKDF2-HMAC-SHA256 over the public salt (docs/spec/17-notices.md)
   and compares it with the published hash in data/notices.js (window.SUIJI_NOTICES =
   {task: {iterations, codes: {uscc: [salt, hash]}}}).

   WebCrypto's subtle.deriveBits where the browser has it (https, localhost), else the
   pinned @noble/hashes, bundled into theme/static/js/noticecheck.js by esbuild
   (python -m suiji.publish.jsbundle). Nothing leaves the page: no request is made. */
import { pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { sha256 } from "@noble/hashes/sha2.js";

const TAG = "suiji/notice-code/v1";
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const READS_AS = { I: "1", L: "1", O: "0" };
const DROP = /[\s\-\u2010\u2011\u2012\u2013\u2014\u2015]+/g;

export function normalizeCode(text) {
  let folded = text.normalize("NFKC").replace(DROP, "").toUpperCase();
  folded = Array.from(folded, (ch) => READS_AS[ch] || ch).join("");
  const bad = Array.from(new Set(Array.from(folded).filter((ch) => !ALPHABET.includes(ch))));
  if (bad.length) {
    throw new Error(`核验码中有不可能出现的字符 ${bad.sort().join("、")}：核验码只由数字和字母组成（没有 U），形如 7KQ2M-X9D4T，请照通知书上的核验码重新输入`);
  }
  if (folded.length !== 10) {
    throw new Error(`核验码应为 10 个字符（不计连字符），输入的是 ${folded.length} 个：请照通知书上的核验码重新输入`);
  }
  return folded;
}

export function idKey(text) {
  return text.normalize("NFKC").replace(/\s+/g, "").toUpperCase();
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(s) {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export async function derive(password, salt, iterations, useWebCrypto = true) {
  const subtle = useWebCrypto && globalThis.crypto && globalThis.crypto.subtle;
  if (subtle) {
    const key = await subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
    const bits = await subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
    return new Uint8Array(bits);
  }
  return pbkdf2Async(sha256, password, salt, { c: iterations, dkLen: 32 });
}

/* "ok" | "fail"; throws Error with a Chinese message for malformed or unlisted input. */
export async function check(notices, task, uscc, code, useWebCrypto = true) {
  const t = notices[task.trim()];
  if (!t) throw new Error(`本站没有任务 ${task.trim()} 的核验码；请核对通知书上的任务编号，或向本局电话核实`);
  const key = idKey(uscc);
  const entry = t.codes[key];
  if (!entry) {
    throw new Error(`任务 ${task.trim()} 的公开核验码中没有统一社会信用代码 ${key}：该单位不是本任务抽中的检查对象，或代码输入有误；持此通知书上门者不能凭通知书证明身份，请向本局电话核实`);
  }
  const normalized = normalizeCode(code);
  const password = new TextEncoder().encode(`${TAG}\n${task.trim()}\n${key}\n${normalized}`);
  const got = hex(await derive(password, unhex(entry[0]), t.iterations, useWebCrypto));
  return got === entry[1] ? "ok" : "fail";
}

function start() {
  const notices = globalThis.SUIJI_NOTICES;
  const form = document.querySelector("form.notice-check");
  if (!notices || !form) return;
  const status = document.getElementById("nc-status");
  form.hidden = false;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    status.className = "status";
    status.textContent = "正在核验（需要几秒钟）……";
    try {
      const verdict = await check(notices, String(data.get("task")), String(data.get("uscc")), String(data.get("code")));
      if (verdict === "ok") {
        status.className = "status ok";
        status.textContent = "核验通过：这是本局为该企业在该任务中签发的通知书核验码。";
      } else {
        status.className = "status warn";
        status.textContent = "核验未通过：核验码与本局公布的不符。请勿凭此通知书接待检查人员，并向本局电话核实。";
      }
      status.dataset.verdict = verdict;
    } catch (err) {
      status.className = "status warn";
      status.textContent = err.message;
      status.dataset.verdict = "error";
    }
  });
}

globalThis.suijiNoticeCheck = { check, normalizeCode, idKey, derive };
if (typeof document !== "undefined") {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
}
