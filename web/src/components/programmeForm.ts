import type { FormRule } from 'antd';
import type { TFunction } from 'i18next';

/**
 * The fields every form that publishes a support programme has (the parks page's quick form, the
 * programme administration page): name, category, application window, and the eligibility rules
 * as the JSON text of an array.
 */
export interface ProgrammeBasics {
  name: string;
  category: string;
  opensOn: string;
  closesOn: string;
  rules: string;
}

/** Those fields as POST /programmes takes them: the rules parsed from their text (none: an empty list). */
export function programmeBody(v: ProgrammeBasics) {
  return {
    name: v.name,
    category: v.category,
    opensOn: v.opensOn,
    closesOn: v.closesOn,
    rules: JSON.parse(v.rules || '[]') as unknown[],
  };
}

/** The check of the rules' text: a JSON array (empty text counts as none), else the bilingual message. */
export function rulesJsonRule(t: TFunction): FormRule {
  return {
    validator: (_: unknown, v: string | undefined) => {
      try {
        if (Array.isArray(JSON.parse(v || '[]'))) return Promise.resolve();
      } catch {
        // falls through to the bilingual message
      }
      return Promise.reject(new Error(t('parksAdmin.rulesInvalid')));
    },
  };
}
