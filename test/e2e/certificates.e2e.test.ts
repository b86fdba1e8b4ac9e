/**
 * Signing certificates in the browser (issue #9 point 4 had them API-only): the seller registers
 * an RSA certificate made here with openssl by pasting its PEM and an SM2 one by choosing its file,
 * sees both listed with algorithm, subject and validity, is told in Chinese when the text is not a
 * certificate, and revokes one. Each step is checked in the database too. An agency has no such page.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { eventually, loginAs, RESULTS, withBrowser } from '../support/browser.ts';
import type { TestPlatform } from '../support/platform.ts';

const WAIT_MS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'cbec-e2e-cert-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate, valid from now for 30 days; answers the PEM file's path. */
function makeCertificate(name: string, sm2: boolean): string {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  const ossl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  if (sm2) ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', key);
  else ossl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key);
  ossl(
    'req',
    '-x509',
    '-new',
    '-key',
    key,
    sm2 ? '-sm3' : '-sha256',
    '-subj',
    `/O=${name}/CN=${name}`,
    '-days',
    '30',
    '-out',
    crt,
  );
  return crt;
}

async function stored(tp: TestPlatform, username: string) {
  const r = await sql<{ id: string; algorithm: string; subject: string; not_after: Date; revoked_at: Date | null }>`
    select c.id, c.algorithm, c.subject, c.not_after, c.revoked_at from sig_certificate c
    join app_user u on u.organisation_id = c.organisation_id where u.username = ${username}
    order by c.created_at`.execute(tp.platform.database.db);
  return r.rows;
}

test('the seller registers RSA and SM2 certificates from the browser, sees them listed and revokes one', async (t) => {
  const rsaFile = makeCertificate('Qinghua-RSA-E2E', false);
  const sm2File = makeCertificate('Qinghua-SM2-E2E', true);
  await withBrowser(t, async (page, tp) => {
    assert.deepEqual(await stored(tp, 'seller'), [], 'the demo seller has no certificate');
    await loginAs(page, tp.baseUrl, 'seller');
    await page.getByTestId('menu-certificates').click();
    await page.getByTestId('certificates-title').waitFor({ timeout: WAIT_MS });
    assert.equal((await page.getByTestId('certificates-title').textContent())?.trim(), '签名证书', 'Chinese first');
    const table = page.getByTestId('certificates-table');
    await table.getByText('尚未登记签名证书').waitFor({ timeout: WAIT_MS });

    // Not a certificate: refused, in Chinese, nothing stored.
    await page.getByTestId('certificate-pem').fill(`-----BEGIN CERTIFICATE-----\n${'A'.repeat(120)}\n-----END CERTIFICATE-----`);
    await page.getByTestId('certificate-submit').click();
    await page
      .getByTestId('certificate-error')
      .getByText(/不是有效的 X\.509 证书/)
      .waitFor({ timeout: WAIT_MS });
    assert.deepEqual(await stored(tp, 'seller'), []);

    // Pasted PEM (RSA).
    await page.getByTestId('certificate-pem').fill(readFileSync(rsaFile, 'utf8'));
    await page.getByTestId('certificate-submit').click();
    await table.getByText('CN=Qinghua-RSA-E2E').first().waitFor({ timeout: WAIT_MS });
    // Chosen file (SM2): the file's text fills the form.
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('certificate-file').click();
    await (await chooser).setFiles(sm2File);
    await eventually('the chosen file fills the form', async () =>
      (await page.getByTestId('certificate-pem').inputValue()).includes('BEGIN CERTIFICATE'),
    );
    await page.getByTestId('certificate-submit').click();
    await table.getByText('CN=Qinghua-SM2-E2E').first().waitFor({ timeout: WAIT_MS });

    const rows = await stored(tp, 'seller');
    assert.deepEqual(
      rows.map((r) => [r.algorithm, r.subject, r.revoked_at]),
      [
        ['rsa', 'O=Qinghua-RSA-E2E\nCN=Qinghua-RSA-E2E', null],
        ['sm2', 'O=Qinghua-SM2-E2E\nCN=Qinghua-SM2-E2E', null],
      ],
    );
    // Each row shows its algorithm, subject, the end of its validity and that it is valid.
    for (const [row, algorithm] of [
      [rows[0]!, 'RSA'],
      [rows[1]!, 'SM2'],
    ] as const) {
      const tr = table.locator(`tr[data-row-key="${row.id}"]`);
      const text = (await tr.textContent()) ?? '';
      assert.match(text, new RegExp(algorithm), `${algorithm} row: ${text}`);
      assert.match(text, /有效/, `${algorithm} row: ${text}`);
      const [y, m, d] = row.not_after.toISOString().slice(0, 10).split('-');
      assert.ok(text.includes(`${y}`) && text.includes(`${m}`) && text.includes(`${d}`), `${algorithm} validity shown: ${text}`);
    }
    await page.screenshot({ path: join(RESULTS, 'certificates.png'), fullPage: true });

    // Revoke the RSA one.
    await page.getByTestId(`certificate-revoke-${rows[0]!.id}`).click();
    await page.locator('.ant-popconfirm .ant-btn-dangerous').click();
    await table.locator(`tr[data-row-key="${rows[0]!.id}"]`).getByText('已吊销').waitFor({ timeout: WAIT_MS });
    await eventually('the revocation is stored', async () => (await stored(tp, 'seller'))[0]?.revoked_at !== null);
    const after = await stored(tp, 'seller');
    assert.ok(after[0]!.revoked_at, 'RSA revoked');
    assert.equal(after[1]!.revoked_at, null, 'SM2 still valid');
    assert.equal(await page.getByTestId(`certificate-revoke-${rows[0]!.id}`).count(), 0, 'no revoke button on a revoked one');

    // An agency registers no signing certificate: no menu entry, and the page is refused.
    await loginAs(page, tp.baseUrl, 'customs');
    assert.equal(await page.getByTestId('menu-certificates').count(), 0);
    await page.goto(`${tp.baseUrl}/certificates`);
    await page.locator('.ant-result-403').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.getByTestId('certificates-title').count(), 0);
  });
});
