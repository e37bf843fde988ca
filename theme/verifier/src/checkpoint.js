// RFC 6962 Merkle tree, C2SP signed notes and tlog checkpoints (docs/spec/06-checkpoints.md).
import { sha256 } from "@noble/hashes/sha2.js";
import { SuijiError, concatBytes, utf8 } from "./encoding.js";
import { verify as edVerify } from "./ed25519.js";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function b64encode(bytes) {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  if (i < bytes.length) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8);
    out += B64[n >> 18] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] + "=" : "==";
  }
  return out;
}

const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// Standard base64 with padding, in its one canonical spelling (docs/spec/04-ledger.md §4.2.2).
export function b64decodeStrict(text) {
  if (typeof text !== "string" || !B64_RE.test(text)) throw new SuijiError("base64", "不是 base64");
  const clean = text.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let j = 0;
  for (const ch of clean) {
    acc = (acc << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  if (b64encode(out) !== text) throw new SuijiError("base64", "base64 的写法不规范");
  return out;
}

const concat = concatBytes;

export function leafHash(line) {
  return sha256(concat(Uint8Array.of(0), line));
}

function nodeHash(a, b) {
  return sha256(concat(Uint8Array.of(1), a, b));
}

// A compact Merkle frontier: append leaf hashes, ask the root at any time (RFC 6962 §2.1).
export class MerkleFrontier {
  constructor() {
    this.size = 0;
    this.nodes = []; // perfect subtrees, largest first: [ [height, hash] ]
  }
  appendHash(leaf) {
    let node = [0, leaf];
    while (this.nodes.length && this.nodes[this.nodes.length - 1][0] === node[0]) {
      const left = this.nodes.pop();
      node = [node[0] + 1, nodeHash(left[1], node[1])];
    }
    this.nodes.push(node);
    this.size++;
  }
  root() {
    if (!this.nodes.length) return sha256(new Uint8Array(0));
    let h = this.nodes[this.nodes.length - 1][1];
    for (let i = this.nodes.length - 2; i >= 0; i--) h = nodeHash(this.nodes[i][1], h);
    return h;
  }
}

// C2SP note key id: SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]
export function noteKeyId(name, publicKey, type = 0x01) {
  return sha256(concat(utf8(name), Uint8Array.of(0x0a, type), publicKey)).slice(0, 4);
}

const DASH = "\u2014 ";
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f]/;

export function parseNote(bytes) {
  if (bytes.length > 1 << 20) throw new SuijiError("note", "签名注记过大");
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new SuijiError("note", "签名注记不是合法的 UTF-8");
  }
  if (CONTROL.test(text)) throw new SuijiError("note", "签名注记含控制字符");
  if (!text.endsWith("\n")) throw new SuijiError("note", "签名注记必须以换行结尾");
  const split = text.lastIndexOf("\n\n");
  if (split < 0) throw new SuijiError("note", "签名注记缺少空行和签名");
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  const sigs = [];
  const lines = block.split("\n").slice(0, -1);
  lines.forEach((line, k) => {
    if (!line.startsWith(DASH)) throw new SuijiError("note", `签名行格式错误：第 ${k + 1} 个签名行`);
    const rest = line.slice(DASH.length);
    const sp = rest.indexOf(" ");
    const name = sp < 0 ? "" : rest.slice(0, sp);
    const b64 = sp < 0 ? "" : rest.slice(sp + 1);
    if (sp < 0 || !name || /[\s+]/.test(name) || b64.includes(" ")) {
      throw new SuijiError("note", `签名行格式错误：第 ${k + 1} 个签名行`);
    }
    let blob;
    try {
      blob = b64decodeStrict(b64);
    } catch {
      throw new SuijiError("note", `签名行的 base64 无效：第 ${k + 1} 个签名行`);
    }
    if (blob.length < 5) throw new SuijiError("note", `签名过短：第 ${k + 1} 个签名行`);
    sigs.push({ name, keyId: blob.slice(0, 4), signature: blob.slice(4) });
  });
  if (!sigs.length) throw new SuijiError("note", "签名注记没有签名");
  return { text: body, signatures: sigs };
}

export function parseCheckpoint(text) {
  if (!text.endsWith("\n")) throw new SuijiError("note", "检查点正文必须以换行结尾");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3 || lines.some((l) => l === "")) throw new SuijiError("note", "检查点至少需要三行非空文本");
  const [origin, sizeText, rootText] = lines;
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || sizeText.length > 20) throw new SuijiError("note", "检查点的大小不是规范十进制数");
  let root;
  try {
    root = b64decodeStrict(rootText);
  } catch {
    throw new SuijiError("note", "检查点的根哈希不是规范 base64");
  }
  if (root.length !== 32) throw new SuijiError("note", "检查点的根哈希必须是 32 字节");
  return { origin, size: Number(sizeText), root, rootText, extensions: lines.slice(3) };
}

const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// Verify a note against trusted Ed25519 keys [{name, publicKey}] (c2sp.org/signed-note).
export async function openNote(bytes, verifiers) {
  const note = parseNote(bytes);
  const message = utf8(note.text);
  let ok = 0;
  for (const sig of note.signatures) {
    for (const v of verifiers) {
      if (v.name !== sig.name || !eq(noteKeyId(v.name, v.publicKey), sig.keyId)) continue;
      if (!(await edVerify(v.publicKey, sig.signature, message))) {
        throw new SuijiError("note", `签名注记中 ${sig.name} 的签名无效`);
      }
      ok++;
    }
  }
  if (!ok) throw new SuijiError("note", "签名注记没有受信任密钥的有效签名");
  return note;
}
