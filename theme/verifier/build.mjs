// Build the browser verifier: one self-contained verifier.html (no external resource).
//
//   node theme/verifier/build.mjs OUT.html
//
// esbuild bundles src/main.js with @noble/curves and @noble/hashes (pinned in
// package-lock.json) into one inline script; the page's Content-Security-Policy allows
// exactly that script and style by their SHA-256, and nothing from the network but the
// site's own ledger. The output depends only on the sources and the pinned packages (no
// time, path or random value), so two builds give the same bytes and the published
// SHA-256 can be checked by anyone who builds it again.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error("用法：node theme/verifier/build.mjs 输出文件.html");
  process.exit(2);
}

// SUIJI_NODE_MODULES: where `npm ci` put the pinned packages, when they are not in a parent
// directory of this file (a bureau repository building with suiji's own checkout).
const modules = process.env.SUIJI_NODE_MODULES || "";
const require = createRequire(modules ? resolve(modules, "..", "package.json") : import.meta.url);
const { build } = require("esbuild");

// A module loaded with import() only when present (the replay's optional rule sets): when
// this build lacks it, the import rejects inside the page instead of fetching a file.
const optionalModules = {
  name: "optional-modules",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind !== "dynamic-import" || existsSync(resolve(args.resolveDir, args.path))) return undefined;
      return { path: args.path, namespace: "absent" };
    });
    b.onLoad({ filter: /.*/, namespace: "absent" }, (args) => ({
      contents: `throw new Error(${JSON.stringify("not in this build: " + args.path)});`,
      loader: "js",
    }));
  },
};

const result = await build({
  plugins: [optionalModules],
  nodePaths: modules ? [modules] : [],
  absWorkingDir: here,
  entryPoints: ["src/main.js"],
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2020"],
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  write: false,
  logLevel: "error",
});
if (/\bimport\(\s*["'`]/.test(result.outputFiles[0].text)) {
  console.error("verifier.html 不能在运行时加载其他文件：打包结果中仍有 import()");
  process.exit(1);
}
const script = result.outputFiles[0].text.replace(/<\/(script)/gi, "<\\/$1").trimEnd();
const style = readFileSync(resolve(here, "style.css"), "utf8").trimEnd();
const hash = (text) => "sha256-" + createHash("sha256").update(text, "utf8").digest("base64");
const shell = readFileSync(resolve(here, "shell.html"), "utf8");
const html = shell
  .replace("__SCRIPT_HASH__", hash(script))
  .replace("__STYLE_HASH__", hash(style))
  .replace("<style>__STYLE__</style>", () => `<style>${style}</style>`)
  .replace("<script>__SCRIPT__</script>", () => `<script>${script}</script>`);
mkdirSync(dirname(resolve(out)), { recursive: true });
writeFileSync(out, html);
console.log(`${out} ${Buffer.byteLength(html)} bytes sha256 ${createHash("sha256").update(html).digest("hex")}`);
