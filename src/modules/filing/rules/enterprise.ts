import type { FieldProblem } from '../../../kernel/errors.ts';
import { checkUscc } from '../../identity/index.ts';

/** Enterprise filing checks (企业备案), pure. */
export interface EnterpriseFilingFields {
  licenceNo: string;
  legalRep: string;
  contactName: string;
  contactPhone: string;
  contactEmail?: string | undefined;
  address: string;
  roles: readonly string[];
}

const PHONE = /^\+?[0-9][0-9 ()-]{4,28}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Pre-2015 business registration number (注册号): 15 digits. */
const REGISTRATION_NO = /^[0-9]{15}$/;

export function checkEnterpriseFiling(
  input: EnterpriseFilingFields,
  org: { uscc: string | null; roles: readonly string[] },
): FieldProblem[] {
  const out: FieldProblem[] = [];
  const licence = input.licenceNo;
  if (licence.length === 18) {
    const r = checkUscc(licence);
    if (!r.ok) out.push({ field: 'licenceNo', rule: r.rule, message: { zh: r.zh, en: r.en }, value: licence });
    else if (org.uscc && licence !== org.uscc) {
      out.push({
        field: 'licenceNo',
        rule: 'matchesOrganisation',
        message: {
          zh: '营业执照号与本企业的统一社会信用代码不一致',
          en: "licenceNo differs from the organisation's unified social credit code",
        },
        value: licence,
      });
    }
  } else if (!REGISTRATION_NO.test(licence)) {
    out.push({
      field: 'licenceNo',
      rule: 'format',
      message: {
        zh: '营业执照号须为18位统一社会信用代码或15位注册号',
        en: 'licenceNo must be an 18-character USCC or a 15-digit registration number',
      },
      value: licence,
    });
  }
  for (const [field, label] of [
    ['legalRep', '法定代表人'],
    ['contactName', '联系人'],
    ['address', '地址'],
  ] as const) {
    if (input[field].trim() === '') {
      out.push({ field, rule: 'required', message: { zh: `${label}必填`, en: `${field} is required` } });
    }
  }
  if (!PHONE.test(input.contactPhone)) {
    out.push({
      field: 'contactPhone',
      rule: 'format',
      message: { zh: '联系电话格式不对', en: 'contactPhone is not a phone number' },
      value: input.contactPhone,
    });
  }
  if (input.contactEmail !== undefined && input.contactEmail !== '' && !EMAIL.test(input.contactEmail)) {
    out.push({
      field: 'contactEmail',
      rule: 'format',
      message: { zh: '电子邮箱格式不对', en: 'contactEmail is not an e-mail address' },
      value: input.contactEmail,
    });
  }
  if (input.roles.length === 0) {
    out.push({ field: 'roles', rule: 'minItems', message: { zh: '至少备案一个企业角色', en: 'file for at least one role' } });
  }
  input.roles.forEach((role, i) => {
    if (!org.roles.includes(role)) {
      out.push({
        field: `roles[${i}]`,
        rule: 'organisationRole',
        message: { zh: `本企业没有“${role}”角色，不能备案`, en: `the organisation does not hold the role "${role}"` },
        value: role,
      });
    }
  });
  return out;
}
