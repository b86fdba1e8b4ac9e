import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Principal } from '../../identity/index.ts';
import { actsFor, agenciesOf } from './authority.rules.ts';

const principal = (roles: string[], org: { kind: 'enterprise' | 'agency' | 'operator'; roles: string[] } | null): Principal => ({
  via: 'session',
  userId: '00000000-0000-0000-0000-000000000001',
  apiKeyId: null,
  username: 'u',
  roles,
  permissions: new Set(),
  organisation: org && { id: '00000000-0000-0000-0000-000000000002', name: 'o', jurisdiction: '4000', code: null, ...org },
});

test('who acts for which agency: the officer role for the duty, in an agency holding that duty', () => {
  const merged = { kind: 'agency' as const, roles: ['customs', 'inspection'] };
  const customsOnly = { kind: 'agency' as const, roles: ['customs'] };
  const bureau = { kind: 'agency' as const, roles: ['inspection'] };
  const cases: [string, Principal, string[]][] = [
    // INSPECTION_AUTHORITY=customs: one agency, two duties, each officer its own
    ['merged: customs officer', principal(['customs_officer'], merged), ['customs']],
    ['merged: inspection officer', principal(['inspection_officer'], merged), ['inspection']],
    ['merged: both roles', principal(['customs_officer', 'inspection_officer'], merged), ['customs', 'inspection']],
    // INSPECTION_AUTHORITY=agency: two agencies, one duty each
    ['separate: customs officer', principal(['customs_officer'], customsOnly), ['customs']],
    ['separate: inspection officer of the bureau', principal(['inspection_officer'], bureau), ['inspection']],
    ['separate: inspection role inside customs acts for nobody', principal(['inspection_officer'], customsOnly), []],
    ['separate: customs role inside the bureau acts for nobody', principal(['customs_officer'], bureau), []],
    ['another agency with the role', principal(['inspection_officer'], { kind: 'agency', roles: ['tax'] }), []],
    ['an enterprise claiming a duty', principal(['inspection_officer'], { kind: 'enterprise', roles: ['inspection'] }), []],
    ['no organisation', principal(['inspection_officer'], null), []],
    ['the operator', principal(['admin'], { kind: 'operator', roles: [] }), ['customs', 'inspection']],
    ['operator organisation without admin', principal(['customs_officer'], { kind: 'operator', roles: [] }), []],
  ];
  for (const [name, p, want] of cases) {
    assert.deepEqual(agenciesOf(p), want, name);
    assert.equal(actsFor(p, 'inspection'), want.includes('inspection'), name);
    assert.equal(actsFor(p, 'customs'), want.includes('customs'), name);
  }
});
