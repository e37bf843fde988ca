// 统一社会信用代码 (GB 32100-2015) and its inner organisation code (GB 11714-1997):
// docs/spec/03-uscc.md. Codes are expected in id_key form (encoding.js idKey); this module
// never normalises, so a lower-case or full-width code is rejected, as in the spec.
import { SuijiError } from "./encoding.js";

export const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

function value(ch) {
  const v = ALPHABET.indexOf(ch);
  if (v < 0 || ch.length !== 1) throw new SuijiError("bad-character", `「${ch}」不是统一社会信用代码的字符`);
  return v;
}

/** The GB 32100 check character (position 18) of 17 alphabet characters. */
export function gbCheckChar(first17) {
  const chars = [...first17];
  if (chars.length !== 17) throw new SuijiError("bad-length", "需要17个字符");
  let s = 0;
  chars.forEach((c, i) => {
    s += value(c) * WEIGHTS[i];
  });
  return ALPHABET[(31 - (s % 31)) % 31];
}

/** The GB 11714 check character (position 17) of an 8-character organisation-code body. */
export function orgCheck(body) {
  const chars = [...body];
  if (chars.length !== 8) throw new SuijiError("bad-length", "组织机构代码本体需要8个字符");
  let s = 0;
  chars.forEach((c, i) => {
    let v;
    if (c >= "0" && c <= "9") v = c.charCodeAt(0) - 48;
    else if (c >= "A" && c <= "Z") v = c.charCodeAt(0) - 55;
    else throw new SuijiError("bad-character", `「${c}」不是组织机构代码的字符`);
    s += v * ORG_WEIGHTS[i];
  });
  const c = 11 - (s % 11);
  return c === 10 ? "X" : c === 11 ? "0" : String(c);
}

/**
 * Validate a credit code (already in id_key form).
 * @param {string} code
 * @returns {{org_code_ok: boolean}} whether the inner GB 11714 check also holds (never a reject reason)
 * @throws SuijiError bad-length | bad-character | bad-check-char
 */
export function validateUscc(code) {
  const chars = [...code];
  if (chars.length !== 18) throw new SuijiError("bad-length", `统一社会信用代码「${code}」不是18位`);
  for (const c of chars) value(c);
  if (gbCheckChar(chars.slice(0, 17).join("")) !== chars[17]) {
    throw new SuijiError("bad-check-char", `统一社会信用代码「${code}」校验位不对`);
  }
  return { org_code_ok: orgCheck(chars.slice(8, 16).join("")) === chars[16] };
}

/** True iff `code` is valid (no throw). */
export function isValidUscc(code) {
  try {
    validateUscc(code);
    return true;
  } catch (e) {
    if (e instanceof SuijiError) return false;
    throw e;
  }
}

/** True iff `code` is a legacy 15-digit 注册号 (§3.4). */
export function isLegacyRegno(code) {
  return /^[0-9]{15}$/.test(code);
}

// ---- vector kinds (tests/vectors/uscc.json)
export function validate(input) {
  return validateUscc(input.code);
}
export function checkChar(input) {
  return gbCheckChar(input.first17);
}
export function orgCheckChar(input) {
  return orgCheck(input.body);
}
export function legacyRegno(input) {
  return isLegacyRegno(input.code);
}
