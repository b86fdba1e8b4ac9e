/**
 * The password policy for new passwords (create, reset, change). Existing hashes are not
 * re-checked: the demo users keep `cbec-demo` until they change it. Length is what matters most
 * (NIST SP 800-63B §5.1.1.2); composition is only "not all one kind of character", and a known
 * password or the username itself is refused.
 */
export const PASSWORD_MIN_LENGTH = 12;

export interface PasswordProblem {
  rule: 'minLength' | 'characterClasses' | 'notUsername' | 'commonPassword';
  zh: string;
  en: string;
}

function classes(pw: string): number {
  let n = 0;
  if (/\p{Ll}/u.test(pw)) n++;
  if (/\p{Lu}/u.test(pw)) n++;
  if (/\p{Nd}/u.test(pw)) n++;
  if (/[^\p{Ll}\p{Lu}\p{Nd}]/u.test(pw)) n++;
  return n;
}

export function checkPassword(password: string, username: string, common: ReadonlySet<string>): PasswordProblem[] {
  const out: PasswordProblem[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    out.push({
      rule: 'minLength',
      zh: `密码至少 ${PASSWORD_MIN_LENGTH} 个字符（现为 ${length} 个）`,
      en: `the password needs at least ${PASSWORD_MIN_LENGTH} characters (it has ${length})`,
    });
  }
  if (classes(password) < 2) {
    out.push({
      rule: 'characterClasses',
      zh: '密码不能只由一类字符组成（须混合小写字母、大写字母、数字、符号中的至少两类）',
      en: 'the password must not be all one kind of character (mix at least two of lower case, upper case, digits, symbols)',
    });
  }
  const lower = password.toLowerCase();
  const name = username.trim().toLowerCase();
  if (name && lower.includes(name)) {
    out.push({ rule: 'notUsername', zh: '密码不能包含用户名', en: 'the password must not contain the username' });
  }
  if (common.has(lower)) {
    out.push({ rule: 'commonPassword', zh: '密码过于常见，容易被猜中', en: 'the password is too common and easily guessed' });
  }
  return out;
}
