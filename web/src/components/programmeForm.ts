import type { EligibilityRule } from '../parks.ts';
import { toRules, type RuleRow } from './EligibilityRulesEditor.tsx';

/**
 * The fields every form that publishes or edits a support programme has (the parks page's quick
 * form, the programme administration page): name, category, application window, and the
 * eligibility rules as rows of the rules editor.
 */
export interface ProgrammeBasics {
  name: string;
  category: string;
  opensOn: string;
  closesOn: string;
  rules: RuleRow[];
}

/** Those fields as POST /programmes (and PATCH /programmes/:id) take them: the rules as the server stores them. */
export function programmeBody(v: ProgrammeBasics): {
  name: string;
  category: string;
  opensOn: string;
  closesOn: string;
  rules: EligibilityRule[];
} {
  return {
    name: v.name,
    category: v.category,
    opensOn: v.opensOn,
    closesOn: v.closesOn,
    rules: toRules(v.rules),
  };
}
