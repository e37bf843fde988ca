// Where the ledger comes from: the site serving the page, or a folder or .zip the visitor
// picks (offline). Every source gives the same shape: {label, ledgerBytes,
// checkpointBytes, getObject(hex) -> Promise<Uint8Array|null>, asOf?, calendars?} (calendars:
// the bureau's calendar files by name, from the site's data file or a picked bureau directory).
//
// Failing to get the data is not a failed verification: `Unavailable` ("数据无法获取")
// is thrown only when the ledger itself cannot be read (network down, site without a
// ledger, a folder without ledger.jsonl). A referenced object the source does not have is
// a missing object (null), which the verifier reports as the finding `object-missing`,
// exactly as `suiji verify` does on a directory; an object the network failed to deliver
// (not a 404) is Unavailable again: nothing about the ledger follows from a dropped request.

export class Unavailable extends Error {
  constructor(message) {
    super(message);
    this.name = "Unavailable";
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const COSIG_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

async function fetchBytes(url, { optional = false } = {}) {
  let res;
  try {
    res = await fetch(url, { cache: "no-store" });
  } catch (e) {
    throw new Unavailable(`无法连接网站读取 ${url}（${e.message}）；请检查网络后重试，或下载账本后用“选择文件夹”离线核验`);
  }
  if (res.status === 404 || res.status === 410) {
    if (optional) return null;
    throw new Unavailable(`网站上没有 ${url}（HTTP ${res.status}）：本站可能尚未发布账本`);
  }
  if (!res.ok) throw new Unavailable(`读取 ${url} 失败（HTTP ${res.status}）；请稍后重试`);
  return new Uint8Array(await res.arrayBuffer());
}

// The site's ledger: <base>ledger/ledger.jsonl, checkpoint, objects/<hex>; the build's
// as-of time from <base>data/verifier.json when the site has it.
export async function fromSite(base) {
  const ledgerBytes = await fetchBytes(new URL("ledger/ledger.jsonl", base).href);
  const checkpointBytes = await fetchBytes(new URL("ledger/checkpoint", base).href, { optional: true });
  let asOf = null;
  let genesis = null;
  let published = null; // the object names the site lists, when it does
  let cosignatureNames = []; // a site cannot list ledger/cosignatures/: data/verifier.json does
  let calendars = {}; // the bureau's calendar files, which the deadlines are judged with
  const meta = await fetchBytes(new URL("data/verifier.json", base).href, { optional: true }).catch(() => null);
  if (meta) {
    try {
      const v = JSON.parse(new TextDecoder().decode(meta));
      asOf = typeof v.as_of === "string" ? v.as_of : null;
      genesis = typeof v.genesis === "string" ? v.genesis : null;
      if (Array.isArray(v.objects)) published = new Set(v.objects);
      if (Array.isArray(v.cosignatures)) cosignatureNames = v.cosignatures.filter((n) => typeof n === "string" && COSIG_NAME.test(n));
      if (v.calendars && typeof v.calendars === "object") calendars = v.calendars;
    } catch {
      /* no as-of: the visitor's clock is used and shown */
    }
  }
  const getObject = async (oid) => {
    if (!HEX64.test(oid) || (published && !published.has(oid))) return null;
    return fetchBytes(new URL(`ledger/objects/${oid}`, base).href, { optional: true });
  };
  const cosignatures = [];
  for (const name of cosignatureNames) {
    const bytes = await fetchBytes(new URL(`ledger/cosignatures/${name}`, base).href, { optional: true });
    if (bytes) cosignatures.push({ name, bytes });
  }
  return { label: new URL("ledger/", base).href, ledgerBytes, checkpointBytes, getObject, asOf, genesis, calendars, cosignatures };
}

// Find the ledger directory among picked paths: ".../ledger/ledger.jsonl" or "ledger.jsonl".
function ledgerPrefix(paths) {
  const candidates = paths.filter((p) => p === "ledger.jsonl" || p.endsWith("/ledger.jsonl"));
  if (!candidates.length) return null;
  candidates.sort((a, b) => a.split("/").length - b.split("/").length);
  const p = candidates[0];
  return p.slice(0, p.length - "ledger.jsonl".length);
}

function fromMap(label, files) {
  const prefix = ledgerPrefix([...files.keys()]);
  if (prefix === null) throw new Unavailable(`${label} 中找不到 ledger.jsonl：请选择局目录、其中的 ledger 文件夹，或含有它们的 zip`);
  const read = async (name) => {
    const f = files.get(prefix + name);
    return f ? f() : null;
  };
  const cosignatures = async () => {
    const out = [];
    const dir = `${prefix}cosignatures/`;
    for (const path of [...files.keys()].sort()) {
      const name = path.slice(dir.length);
      if (path.startsWith(dir) && COSIG_NAME.test(name)) out.push({ name, bytes: await files.get(path)() });
    }
    return out;
  };
  // a picked bureau directory (局目录) also holds its calendar files, as `suiji verify` reads them
  const calendarDir = prefix.endsWith("ledger/") ? `${prefix.slice(0, -"ledger/".length)}content/records/calendar/` : null;
  return (async () => {
    const calendars = {};
    for (const [path, get] of files) {
      const name = calendarDir && path.startsWith(calendarDir) ? path.slice(calendarDir.length) : "";
      if (name && !name.includes("/") && !name.startsWith(".")) calendars[name] = await get();
    }
    return {
      label,
      ledgerBytes: await read("ledger.jsonl"),
      checkpointBytes: await read("checkpoint"),
      cosignatures: await cosignatures(),
      getObject: async (oid) => (HEX64.test(oid) ? read(`objects/${oid}`) : null),
      asOf: null,
      calendars,
    };
  })();
}

// <input type=file webkitdirectory>: File objects with webkitRelativePath.
export function fromFiles(fileList) {
  const files = new Map();
  let root = "";
  for (const f of fileList) {
    const path = f.webkitRelativePath || f.name;
    if (!root) root = path.split("/")[0];
    files.set(path, async () => new Uint8Array(await f.arrayBuffer()));
  }
  return fromMap(`文件夹 ${root}`, files);
}

// A .zip the visitor picks: stored and deflated members (via DecompressionStream).
export async function fromZip(file) {
  const buf = new Uint8Array(await file.arrayBuffer());
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Unavailable(`${file.name} 不是 zip 文件（找不到目录）`);
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const files = new Map();
  const dec = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (dv.getUint32(p, true) !== 0x02014b50) throw new Unavailable(`${file.name}：zip 目录损坏`);
    const method = dv.getUint16(p + 10, true);
    const csize = dv.getUint32(p + 20, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const local = dv.getUint32(p + 42, true);
    const name = dec.decode(buf.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith("/")) continue;
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    const data = buf.subarray(start, start + csize);
    files.set(name, async () => {
      if (method === 0) return data.slice();
      if (method !== 8) throw new Unavailable(`${file.name}：${name} 的压缩方式 ${method} 不受支持`);
      const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    });
  }
  return fromMap(`zip 文件 ${file.name}`, files);
}
