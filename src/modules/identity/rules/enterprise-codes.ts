/**
 * 统一社会信用代码 (USCC), GB 32100-2015: 18 characters from a 31-character alphabet
 * (no I, O, S, V, Z); the 18th is a check character over the first 17 with weights 3^i mod 31.
 */
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function usccCheckChar(first17: string): string | undefined {
  if (first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i] ?? '');
    if (v < 0) return undefined;
    sum += v * (USCC_WEIGHTS[i] ?? 0);
  }
  const c = (31 - (sum % 31)) % 31;
  return USCC_ALPHABET[c];
}

export type CodeCheck = { ok: true } | { ok: false; rule: string; zh: string; en: string };

export function checkUscc(code: string): CodeCheck {
  if (code.length !== 18) {
    return { ok: false, rule: 'length', zh: '统一社会信用代码必须为18位', en: 'a unified social credit code has 18 characters' };
  }
  for (const ch of code) {
    if (!USCC_ALPHABET.includes(ch)) {
      return {
        ok: false,
        rule: 'charset',
        zh: `统一社会信用代码含非法字符“${ch}”（只允许数字和除 I、O、S、V、Z 外的大写字母）`,
        en: `invalid character "${ch}" (digits and capital letters except I, O, S, V, Z)`,
      };
    }
  }
  const expected = usccCheckChar(code.slice(0, 17));
  if (expected !== code[17]) {
    return {
      ok: false,
      rule: 'checkCharacter',
      zh: `统一社会信用代码校验位错误，应为“${expected}”`,
      en: `wrong check character, expected "${expected}"`,
    };
  }
  return { ok: true };
}

/** 海关编码 (customs registration code): 10 characters, digits and capital letters. */
export function checkCustomsCode(code: string): CodeCheck {
  if (!/^[0-9A-Z]{10}$/.test(code)) {
    return {
      ok: false,
      rule: 'pattern',
      zh: '海关编码必须为10位数字或大写字母',
      en: 'a customs code has 10 digits or capital letters',
    };
  }
  return { ok: true };
}

/** Makes a valid USCC from 17 characters; used to give demo enterprises real-looking codes. */
export function completeUscc(first17: string): string {
  const c = usccCheckChar(first17);
  if (c === undefined) throw new Error(`not a USCC body: ${first17}`);
  return first17 + c;
}
