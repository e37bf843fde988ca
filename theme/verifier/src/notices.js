// Notice verification codes (docs/spec/17-notices.md): normalising a typed code, the
// PBKDF2-SHA256 hash, the public code file and checking a code against it. The hash runs
// on WebCrypto where the browser has it (fast), else on @noble/hashes (same bytes).
import { pbkdf2, pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { SuijiError, utf8, hex, fromHex, parseCanonical, idKey } from "./encoding.js";
import { compareText } from "./records.js";

export const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const CODE_LENGTH = 10;
export const KDF_TAG = "suiji/notice-code/v1";
export const SCHEMA = "suiji/notice-codes/v1";
export const KDF_NAME = "pbkdf2-sha256";
export const MIN_ITERATIONS = 100000;
export const MAX_ITERATIONS = 10000000;
const READS_AS = { I: "1", L: "1", O: "0" };
const DROP = /[\s\x1c-\x1f\x85\-\u2010-\u2015]+/gu;
const TASK_RE = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;

/**
 * A code as typed → its ten canonical characters (§17.2).
 * @throws SuijiError notice-code-format
 */
export function normalizeCode(text) {
  let folded = text.normalize("NFKC").replace(DROP, "").toUpperCase();
  folded = [...folded].map((c) => READS_AS[c] ?? c).join("");
  const bad = [...new Set([...folded].filter((c) => !ALPHABET.includes(c)))].sort();
  if (bad.length) {
    throw new SuijiError("notice-code-format", `核验码中有不可能出现的字符 ${bad.join("、")}：核验码只由数字和字母组成（没有 U），形如 7KQ2M-X9D4T，请照通知书上的核验码重新输入`);
  }
  if (folded.length !== CODE_LENGTH) {
    throw new SuijiError("notice-code-format", `核验码应为 ${CODE_LENGTH} 个字符（不计连字符），输入的是 ${folded.length} 个：请照通知书上的核验码重新输入`);
  }
  return folded;
}

/** The printed form: two groups of five joined by a hyphen. */
export function displayCode(normalized) {
  return `${normalized.slice(0, 5)}-${normalized.slice(5)}`;
}

/** The PBKDF2 password as text: tag, task, credit code, normalised code, joined by LF. */
export function kdfInput(task, uscc, code) {
  return `${KDF_TAG}\n${task}\n${uscc}\n${normalizeCode(code)}`;
}

async function webCryptoPbkdf2(password, salt, iterations) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) return null;
  try {
    const key = await subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
    const bits = await subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
    return new Uint8Array(bits);
  } catch {
    return null; // e.g. plain http or an old browser: fall back to @noble/hashes
  }
}

/**
 * The code's hash (§17.3), lower-case hex.
 * @param {string} task; @param {string} uscc (id_key form); @param {string} code (as typed)
 * @param {string} saltHex 32 hex digits; @param {number} iterations
 * @param {{webCrypto?: boolean}} [opts] webCrypto false forces @noble/hashes
 * @returns {Promise<string>}
 */
export async function codeHash(task, uscc, code, saltHex, iterations, opts = {}) {
  const password = utf8(kdfInput(task, uscc, code));
  const salt = fromHex(saltHex);
  let out = opts.webCrypto === false ? null : await webCryptoPbkdf2(password, salt, iterations);
  if (!out) out = await pbkdf2Async(sha256, password, salt, { c: iterations, dkLen: 32 });
  return hex(out);
}
/** codeHash without WebCrypto, synchronously (@noble/hashes). */
export function codeHashSync(task, uscc, code, saltHex, iterations) {
  return hex(pbkdf2(sha256, utf8(kdfInput(task, uscc, code)), fromHex(saltHex), { c: iterations, dkLen: 32 }));
}

/**
 * Read a public code file strictly (§17.4).
 * @param {string|Uint8Array} data
 * @returns {{task: string, iterations: number, codes: [{uscc, salt, hash}]}}
 * @throws SuijiError notice-codes-file
 */
export function readCodesFile(data) {
  const bad = (why) => new SuijiError("notice-codes-file", `核验码文件无效：${why}`);
  let text = data;
  if (typeof data !== "string") {
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(data);
    } catch {
      throw bad("不是合法的 UTF-8");
    }
  }
  if (!text.endsWith("\n")) throw bad("必须以一个换行符结尾");
  let value;
  try {
    value = parseCanonical(text.slice(0, -1));
  } catch (e) {
    throw bad(e.message);
  }
  const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const keysAre = (o, ks) => Object.keys(o).sort().join(",") === [...ks].sort().join(",");
  if (!isObj(value) || !keysAre(value, ["schema", "task", "kdf", "codes"])) throw bad("顶层必须恰有 schema、task、kdf、codes 四个成员");
  if (value.schema !== SCHEMA) throw bad(`schema 必须是 ${SCHEMA}`);
  if (typeof value.task !== "string" || !TASK_RE.test(value.task)) throw bad("task 必须是任务编号（英文字母、数字和连字符，最长 32 个字符）");
  const kdf = value.kdf;
  if (!isObj(kdf) || !keysAre(kdf, ["name", "iterations"]) || kdf.name !== KDF_NAME) throw bad(`kdf 必须是 {"name": "${KDF_NAME}", "iterations": N}`);
  if (!Number.isInteger(kdf.iterations) || kdf.iterations < MIN_ITERATIONS || kdf.iterations > MAX_ITERATIONS) {
    throw bad(`kdf.iterations 必须是 ${MIN_ITERATIONS} 到 ${MAX_ITERATIONS} 之间的整数`);
  }
  if (!Array.isArray(value.codes)) throw bad("codes 必须是数组");
  const codes = [];
  value.codes.forEach((c, i) => {
    if (!isObj(c) || !keysAre(c, ["uscc", "salt", "hash"])) throw bad(`codes[${i}] 必须恰有 uscc、salt、hash 三个成员`);
    if (typeof c.uscc !== "string" || !c.uscc || c.uscc !== idKey(c.uscc)) throw bad(`codes[${i}].uscc 必须是规范形式的统一社会信用代码`);
    if (typeof c.salt !== "string" || !/^[0-9a-f]{32}$/.test(c.salt)) throw bad(`codes[${i}].salt 必须是 32 个小写十六进制字符`);
    if (typeof c.hash !== "string" || !/^[0-9a-f]{64}$/.test(c.hash)) throw bad(`codes[${i}].hash 必须是 64 个小写十六进制字符`);
    if (codes.length && compareText(c.uscc, codes[codes.length - 1].uscc) <= 0) throw bad("codes 必须按 uscc 严格升序排列（不得重复）");
    codes.push({ uscc: c.uscc, salt: c.salt, hash: c.hash });
  });
  return { task: value.task, iterations: kdf.iterations, codes };
}

function constantTimeEqual(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

/**
 * Check a typed code against a parsed code file (§17.5).
 * @param {{task, iterations, codes}} codes readCodesFile's result
 * @returns {Promise<boolean>}
 * @throws SuijiError notice-not-listed | notice-code-format
 */
export async function checkCode(codes, uscc, code, opts = {}) {
  const key = idKey(uscc);
  const entry = codes.codes.find((c) => c.uscc === key);
  if (!entry) {
    throw new SuijiError("notice-not-listed", `任务 ${codes.task} 的公开核验码文件中没有统一社会信用代码 ${key}：该单位不是本任务抽中的检查对象，或代码输入有误；持此通知书上门者不能凭通知书证明身份，请向本局电话核实`);
  }
  const normalized = normalizeCode(code);
  const got = await codeHash(codes.task, entry.uscc, normalized, entry.salt, codes.iterations, opts);
  return constantTimeEqual(got, entry.hash);
}

// ---------------------------------------------------------------- vector kinds

export function normalize(input) {
  return normalizeCode(input.text);
}
export async function hash(input) {
  return {
    kdf_input: kdfInput(input.task, input.uscc, input.code),
    hash: await codeHash(input.task, input.uscc, input.code, input.salt, input.iterations),
  };
}
export async function check(input) {
  return checkCode(readCodesFile(input.file), input.uscc, input.code);
}
export function codesFile(input) {
  const c = readCodesFile(input.text);
  return { task: c.task, iterations: c.iterations, usccs: c.codes.map((e) => e.uscc) };
}
