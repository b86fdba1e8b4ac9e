/**
 * Browser test of the parks, training and support-programme desks (issue 8 points 4 and 5):
 * - the seller enrols in a course from the parks page (its display name goes on the roster),
 *   withdraws (the seat is given back) and enrols again;
 * - the seller applies to a programme from the parks page: its own statement, with a preview of
 *   the platform figures that will be attached and of the eligibility check;
 * - the commerce officer adds and removes a park's member enterprises on the parks page, marks
 *   attendance from the course's roster, undoes a wrong mark, issues the certificate (after which
 *   the mark stands), exports the roster and the applications to Excel, reviews the seller's
 *   application by weighted criteria, rejecting it with a reason, and publishes a programme with
 *   its own criteria (weights adding up to 100) and eligibility rules from the rules editor
 *   (figure, comparison, threshold per row), edits it and closes it;
 * - the commerce officer edits a park and a course (a server refusal shown in the dialog), and
 *   closes a course and the park: stored as closed, their buttons off;
 * - the seller reads the decision and its reason under "my applications", downloads the
 *   certificate under "my training", and cannot enrol in the closed course.
 * Every step is checked in the database, not only on the screen.
 *
 *   npm test -- test/e2e/parks-programmes.e2e.test.ts
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { PARTIES } from '../support/parcels.ts';
import { login as apiLogin, type TestPlatform } from '../support/platform.ts';
import { chooseOption, confirmUntil, eventually, firstText, loginAs, RESULTS, withBrowser } from '../support/browser.ts';

const text = firstText;
const SELLER2 = { code: '3601260999', name: '赣州脐橙电商有限公司' };
const PARK = '上饶跨境电商E2E产业园';
const COURSE = '跨境电商 E2E 结业课程';
const PROGRAMME = 'E2E 人才培训补贴';
const SPARE = 'E2E 停办对接会';

async function post(tp: TestPlatform, token: string, url: string, payload: Record<string, unknown>): Promise<string> {
  const res = await tp.platform.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });
  assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

const row = (page: Page, table: string, hasText: string) => page.getByTestId(table).locator('tr', { hasText });

/** Clicks a download button and reads the workbook it saves. */
async function downloadXlsx(page: Page, testId: string, file: string): Promise<ExcelJS.Worksheet> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = join(RESULTS, file);
  await download.saveAs(path);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await readFile(path)) as unknown as ArrayBuffer);
  return wb.worksheets[0]!;
}
const cells = (ws: ExcelJS.Worksheet): string[][] =>
  Array.from({ length: ws.rowCount }, (_, i) => (ws.getRow(i + 1).values as unknown[]).slice(1).map((v) => String(v ?? '')));

test('parks, roster and certificates, programme review: commerce and the seller, in the browser', async (t) => {
  await withBrowser(t, async (page, tp) => {
    const db = tp.platform.database.db;
    const commerce = await apiLogin(tp.platform, 'commerce');
    const park = await post(tp, commerce, '/api/v1/parks', {
      name: PARK,
      region: '36110',
      kind: 'park',
      memberCodes: [PARTIES.seller.code],
    });
    const course = await post(tp, commerce, '/api/v1/offerings', {
      kind: 'course',
      title: COURSE,
      titleEn: 'E2E completion course',
      startsAt: '2099-05-10T01:00:00Z',
      endsAt: '2099-05-10T09:00:00Z',
      place: '上饶',
      capacity: 5,
    });
    const spare = await post(tp, commerce, '/api/v1/offerings', {
      kind: 'event',
      title: SPARE,
      startsAt: '2099-06-10T01:00:00Z',
      endsAt: '2099-06-10T05:00:00Z',
      place: '上饶',
      capacity: 20,
    });
    const programme = await post(tp, commerce, '/api/v1/programmes', {
      name: PROGRAMME,
      category: 'training',
      // the seller is a member of the park above; any number of parcels
      rules: [
        { metric: 'parkMember', op: '=', value: 1 },
        { metric: 'parcels', op: '>=', value: 0 },
      ],
      opensOn: '2020-01-01',
      closesOn: '2099-12-31',
    });
    // --- the seller enrols from the parks page, withdraws, enrols again -----------------------------
    await loginAs(page, tp.baseUrl, 'seller');
    await page.goto(`${tp.baseUrl}/parks`);
    const enrolment = async () =>
      (
        await sql<{ user_id: string; participant_name: string | null; org_name: string | null }>`
          select user_id::text, participant_name, org_name from pk_enrolment where offering_id = ${course}`.execute(db)
      ).rows;
    const seatsTaken = async () =>
      (await sql<{ enrolled: number }>`select enrolled from pk_offering where id = ${course}`.execute(db)).rows[0]!.enrolled;
    await page.getByTestId(`offering-enrol-${course}`).click();
    await eventually('the enrolment is stored with the display name', async () => (await enrolment()).length === 1);
    const [enrolled] = await enrolment();
    assert.deepEqual([enrolled!.participant_name, enrolled!.org_name], ['青花瓷业 业务员', PARTIES.seller.name]);
    assert.equal(await seatsTaken(), 1);
    await confirmUntil(
      page,
      'the enrolment is withdrawn',
      page.getByTestId(`offering-withdraw-${course}`),
      async () => (await enrolment()).length === 0,
    );
    assert.equal(await seatsTaken(), 0, 'the seat is given back');
    await eventually('seats left shown again', async () => (await text(row(page, 'offerings-table', COURSE))).includes('5 / 5'));
    await page.getByTestId(`offering-enrol-${course}`).click();
    await eventually('enrolled again', async () => (await enrolment()).length === 1);
    assert.equal(await seatsTaken(), 1);

    // --- the seller applies: its own statement, the figures and the eligibility check previewed -------
    await page.getByTestId(`programme-apply-${programme}`).click();
    const modal = page.locator('.ant-modal');
    await eventually('the preview shows the eligibility check', async () =>
      (await text(modal.getByTestId('apply-eligibility'))).includes('符合申报条件'),
    );
    const shownParcels = await text(modal.getByTestId('apply-figure-parcels'));
    assert.equal(await text(modal.getByTestId('apply-figure-parkMember')), '✓');
    assert.ok((await text(modal.getByTestId('apply-rules'))).includes('园区企业 = 1'), 'each rule is listed');
    const applications = async () =>
      (
        await sql<{ id: string; statement: string; figures: Record<string, number>; eligibility: { eligible: boolean } }>`
          select id::text, statement, figures, eligibility from pk_application where programme_id = ${programme}`.execute(db)
      ).rows;
    assert.deepEqual(await applications(), [], 'the preview stores nothing');
    await page.screenshot({ path: join(RESULTS, 'parks-apply-preview.png') });
    // no statement: refused on the form, nothing sent
    await page.getByTestId('apply-submit').click();
    await eventually('a statement is asked for', async () =>
      (await text(modal.locator('.ant-form-item-explain-error'))).includes('请填写申报说明'),
    );
    assert.deepEqual(await applications(), []);
    const STATEMENT = '本企业年内培训 20 人，计划开设跨境电商运营班';
    await page.getByTestId('apply-statement').fill(STATEMENT);
    await page.getByTestId('apply-submit').click();
    await eventually('the application is stored', async () => (await applications()).length === 1);
    const [app] = await applications();
    assert.equal(app!.statement, STATEMENT);
    assert.equal(app!.figures.parkMember, 1);
    assert.equal(app!.eligibility.eligible, true);
    assert.equal(String(app!.figures.parcels), shownParcels, 'the figures attached are those previewed');
    const application = app!.id;
    // applied once: the preview now says so and offers no second submission
    await page.getByTestId(`programme-apply-${programme}`).click();
    await eventually('already applied', async () => (await text(modal)).includes('本企业已申报过该项目'));
    assert.equal(await page.getByTestId('apply-submit').isDisabled(), true);
    await page.keyboard.press('Escape');

    // --- commerce: park members ----------------------------------------------------------------------
    await loginAs(page, tp.baseUrl, 'commerce');
    for (const item of ['menu-programme-review', 'menu-parks-roster'])
      assert.equal(await page.getByTestId(item).count(), 1, `${item} in the commerce officer's menu`);
    await page.goto(`${tp.baseUrl}/parks`);
    await row(page, 'parks-table', PARK).locator('.ant-table-row-expand-icon').click();
    const members = page.getByTestId(`park-members-${park}`);
    await eventually('the member is listed by name', async () => (await text(members)).includes(PARTIES.seller.name));
    await members.getByTestId('park-member-codes').fill(SELLER2.code);
    await members.getByTestId('park-member-add').click();
    await eventually('the new member is listed', async () => (await text(members)).includes(SELLER2.name));
    const stored = async () =>
      (
        await sql<{ org_code: string }>`select org_code from pk_park_member where park_id = ${park} order by org_code`.execute(db)
      ).rows.map((r) => r.org_code);
    assert.deepEqual(await stored(), [PARTIES.seller.code, SELLER2.code].sort());
    await confirmUntil(
      page,
      'the member is removed',
      members.getByTestId(`park-member-remove-${SELLER2.code}`),
      async () => (await stored()).length === 1,
    );
    assert.deepEqual(await stored(), [PARTIES.seller.code]);
    await eventually('the removed member leaves the list', async () => !(await text(members)).includes(SELLER2.name));

    // --- commerce: edit a park and a course, close a course ----------------------------------------------
    const RENAMED = `${PARK}（二期）`;
    const parkRow = async () =>
      (
        await sql<{ name: string; address: string | null; status: string }>`
          select name, address, status from pk_park where id = ${park}`.execute(db)
      ).rows[0]!;
    await page.getByTestId(`park-edit-${park}`).click();
    await page.getByTestId('park-edit-name').fill(RENAMED);
    await page.getByTestId('park-edit-address').fill('上饶市信州区');
    await page.getByTestId('edit-save').click();
    await eventually('the park is renamed', async () => (await parkRow()).name === RENAMED);
    assert.deepEqual(await parkRow(), { name: RENAMED, address: '上饶市信州区', status: 'open' });
    await eventually('listed under its new name', async () => (await text(page.getByTestId('parks-table'))).includes(RENAMED));
    const courseRow = async () =>
      (
        await sql<{ ends_at: Date; place: string; capacity: number; status: string }>`
          select ends_at, place, capacity, status from pk_offering where id = ${course}`.execute(db)
      ).rows[0]!;
    await page.getByTestId(`offering-edit-${course}`).click();
    // the course starts at 09:00 China Standard Time: an end before it is refused by the server, in the dialog
    await page.getByTestId('offering-edit-ends').fill('2099-05-10T08:00');
    await page.getByTestId('offering-edit-place').fill('上饶市 培训中心');
    await page.getByTestId('edit-save').click();
    await eventually('the refusal is shown', async () => (await text(page.getByTestId('edit-error'))).includes('须晚于开始时间'));
    assert.equal((await courseRow()).place, '上饶', 'nothing stored');
    await page.getByTestId('offering-edit-ends').fill('2099-05-10T18:00');
    await page.getByTestId('offering-edit-capacity').fill('4');
    await page.getByTestId('edit-save').click();
    await eventually('the course is rescheduled', async () => (await courseRow()).capacity === 4);
    assert.deepEqual(await courseRow(), {
      ends_at: new Date('2099-05-10T10:00:00Z'),
      place: '上饶市 培训中心',
      capacity: 4,
      status: 'open',
    });
    await eventually('seats left shown', async () => (await text(row(page, 'offerings-table', COURSE))).includes('3 / 4'));
    const spareStatus = async () =>
      (await sql<{ status: string }>`select status from pk_offering where id = ${spare}`.execute(db)).rows[0]!.status;
    await confirmUntil(
      page,
      'the event is closed',
      page.getByTestId(`offering-close-${spare}`),
      async () => (await spareStatus()) === 'closed',
    );
    await eventually('shown as closed', async () => (await text(row(page, 'offerings-table', SPARE))).includes('已关闭'));
    assert.equal(await page.getByTestId(`offering-edit-${spare}`).isDisabled(), true, 'a closed event is not edited');
    assert.equal(await page.getByTestId(`offering-close-${spare}`).isDisabled(), true);

    // --- commerce: roster, attendance, certificate -----------------------------------------------------
    await page.getByTestId(`offering-roster-${course}`).click();
    const roster = page.getByTestId('roster-table');
    await eventually('the roster names the participant', async () => {
      const s = await text(roster);
      return s.includes('青花瓷业 业务员') && s.includes(PARTIES.seller.name);
    });
    const attendance = async () =>
      (
        await sql<{ attended: boolean; certificate_no: string | null }>`
          select attended, certificate_no from pk_enrolment where offering_id = ${course}`.execute(db)
      ).rows[0]!;
    const confirm = () => page.locator('.ant-popconfirm:visible .ant-btn-primary').click();
    await page.getByTestId('roster-tick-seller').click();
    await page.getByTestId('roster-mark').click();
    await eventually('the attendance is stored', async () => (await attendance()).attended);
    assert.equal((await attendance()).certificate_no, null, 'no certificate until it is issued');
    // a wrong mark is taken back
    await page.getByTestId('roster-undo-seller').click();
    await confirm();
    await eventually('the mark is undone', async () => !(await attendance()).attended);
    await page.getByTestId('roster-tick-seller').click();
    await page.getByTestId('roster-mark').click();
    await eventually('marked again', async () => (await attendance()).attended);
    await page.getByTestId('roster-certify').click();
    await confirm();
    await eventually('the certificate number is shown', async () =>
      /CERT-/.test(await text(page.getByTestId('roster-cert-seller'))),
    );
    const [cert] = (
      await sql<{ attended: boolean; certificate_no: string | null; certificate_issued_at: Date | null }>`
        select attended, certificate_no, certificate_issued_at from pk_enrolment where offering_id = ${course}`.execute(db)
    ).rows;
    assert.equal(cert!.attended, true);
    assert.ok(cert!.certificate_no && cert!.certificate_issued_at);
    assert.equal(await text(page.getByTestId('roster-cert-seller')), cert!.certificate_no);
    assert.equal(await page.getByTestId('roster-undo-seller').isDisabled(), true, 'a certified attendance stands');
    // the roster as a workbook: the participant, attended, with the certificate number
    const rosterSheet = cells(await downloadXlsx(page, 'roster-export', 'parks-roster.xlsx'));
    assert.deepEqual(rosterSheet[2]!.slice(0, 6), [
      '青花瓷业 业务员',
      'seller',
      PARTIES.seller.name,
      rosterSheet[2]![3]!,
      '是',
      cert!.certificate_no!,
    ]);
    assert.equal(rosterSheet.length, 3, 'title, headings, one participant');

    // --- commerce: review by criteria, reject with a reason -------------------------------------------
    await page.goto(`${tp.baseUrl}/parks/review`);
    const review = page.getByTestId('review-table');
    await eventually('the application awaits review', async () => (await text(review)).includes(PROGRAMME));
    assert.ok((await text(review)).includes(PARTIES.seller.name), 'the applicant is named');
    // the list as filtered (awaiting review), as a workbook: the statement and the figures attached
    const reviewSheet = cells(await downloadXlsx(page, 'review-export', 'parks-applications.xlsx'));
    const exported = reviewSheet.find((r) => r.includes(application));
    assert.ok(exported, 'the application is exported');
    assert.deepEqual(exported.slice(0, 4), [PROGRAMME, PARTIES.seller.code, PARTIES.seller.name, STATEMENT]);
    assert.ok(exported.includes('待评审'));
    await page.getByTestId(`review-open-${application}`).click();
    await eventually('each criterion with its weight and maximum', async () =>
      (await text(page.locator('.ant-modal'))).includes('政策契合度（权重 30%，满分 30）'),
    );
    const points: Record<string, number> = { policy: 12, performance: 20, impact: 5, compliance: 8 };
    for (const [key, v] of Object.entries(points)) await page.getByTestId(`review-score-${key}`).fill(String(v));
    await eventually('the total adds up', async () => (await text(page.getByTestId('review-total'))).startsWith('45'));
    await page.getByTestId('review-reject').click();
    await page.getByTestId('review-submit').click();
    await eventually('a rejection asks for its reason', async () =>
      (await text(page.locator('.ant-modal .ant-form-item-explain-error'))).includes('驳回须说明理由'),
    );
    const decision = async () =>
      (
        await sql<{ status: string; score: number | null; scores: Record<string, number> | null; note: string | null }>`
          select status, score, scores, note from pk_application where id = ${application}`.execute(db)
      ).rows[0]!;
    assert.equal((await decision()).status, 'submitted', 'nothing decided without a reason');
    await page.getByTestId('review-note').fill('培训计划不完整，请补充课程安排');
    await page.getByTestId('review-submit').click();
    await eventually('the decision is stored', async () => (await decision()).status === 'rejected');
    assert.deepEqual(await decision(), {
      status: 'rejected',
      score: 45,
      scores: points,
      note: '培训计划不完整，请补充课程安排',
    });

    // --- commerce: scoring criteria on the programme admin page -------------------------------------------
    await page.getByTestId('menu-programme-admin').click();
    const admin = page.getByTestId('programme-admin-table');
    await eventually('the programmes are listed', async () => (await text(admin)).includes(PROGRAMME));
    assert.equal(
      await page.getByTestId(`programme-edit-criteria-${programme}`).isDisabled(),
      true,
      'decided: its criteria are fixed',
    );
    // the applied-to programme's rules are shown, fixed
    await page.getByTestId(`programme-edit-${programme}`).click();
    const editor = page.locator('.ant-modal:visible').getByTestId('rules-editor');
    await eventually('the rules are fixed', async () => (await text(editor)).includes('已有企业申报：资格规则不能再修改'));
    assert.equal(await editor.getByTestId('rule-add').isDisabled(), true);
    await page.keyboard.press('Escape');
    await eventually('the dialog is closed', async () => (await page.locator('.ant-modal:visible').count()) === 0);

    const NEW = 'E2E 新业态扶持';
    await page.getByTestId('programme-admin-name').fill(NEW);
    await page.getByTestId('programme-admin-opens').fill('2020-01-01');
    await page.getByTestId('programme-admin-closes').fill('2099-12-31');
    // eligibility rules as rows: a figure, a comparison (≥ by default), a threshold
    const create = page.getByTestId('rules-editor').first();
    await create.getByTestId('rule-add').click();
    await chooseOption(page, create.getByTestId('rule-metric-0'), '包裹数');
    await create.getByTestId('rule-value-0').fill('5');
    await create.getByTestId('rule-add').click();
    await chooseOption(page, create.getByTestId('rule-metric-1'), '信用等级分');
    await chooseOption(page, create.getByTestId('rule-op-1'), '≤ 不高于');
    await create.getByTestId('rule-value-1').fill('4');
    await page.screenshot({ path: join(RESULTS, 'programme-admin-rules.png'), fullPage: true });
    const rows: [string, string, number, number][] = [
      ['模式创新', 'New business model', 60, 10],
      ['业务规模', 'Scale', 30, 5],
    ];
    for (const [i, [name, nameEn, weight, max]] of rows.entries()) {
      await page.getByTestId('criterion-add').first().click();
      await page.getByTestId(`criterion-name-${i}`).first().fill(name);
      await page.getByTestId(`criterion-name-en-${i}`).first().fill(nameEn);
      await page.getByTestId(`criterion-weight-${i}`).first().fill(String(weight));
      await page.getByTestId(`criterion-max-${i}`).first().fill(String(max));
    }
    await eventually('the weights are summed', async () => (await text(page.getByTestId('criteria-weight-sum'))).includes('90'));
    await page.getByTestId('programme-admin-create').click();
    await eventually('weights that do not add up to 100 are refused', async () =>
      (await text(page.getByTestId('criteria-editor').first())).includes('各评分项权重之和须为 100'),
    );
    const newProgramme = async () =>
      (await sql<{ criteria: unknown }>`select criteria from pk_programme where name = ${NEW}`.execute(db)).rows;
    const storedProgrammes = async () =>
      (
        await sql<{ id: string; name: string; rules: unknown; closes_on: string; status: string }>`
          select id::text, name, rules, closes_on::text, status from pk_programme where name like ${`${NEW}%`}`.execute(db)
      ).rows;
    assert.deepEqual(await newProgramme(), [], 'nothing published');
    await page.getByTestId('criterion-weight-1').first().fill('40');
    await page.getByTestId('programme-admin-create').click();
    await eventually('the programme is published with its criteria', async () => (await newProgramme()).length === 1);
    assert.deepEqual((await newProgramme())[0]!.criteria, [
      { key: 'c1', name: '模式创新', nameEn: 'New business model', weight: 60, max: 10 },
      { key: 'c2', name: '业务规模', nameEn: 'Scale', weight: 40, max: 5 },
    ]);
    await eventually('listed with its criteria', async () => (await text(admin)).includes('模式创新 60%'));
    const [published] = await storedProgrammes();
    assert.deepEqual(published!.rules, [
      { metric: 'parcels', op: '>=', value: 5 },
      { metric: 'creditLevelRank', op: '<=', value: 4 },
    ]);
    await eventually('listed with its rules', async () =>
      (await text(page.getByTestId(`programme-rules-${published!.id}`))).includes('包裹数 ≥ 5'),
    );

    // edit it: a window closing before it opens is refused by the server, named in the dialog
    await page.getByTestId(`programme-edit-${published!.id}`).click();
    const dialog = page.locator('.ant-modal:visible');
    await dialog.getByTestId('programme-edit-closes').fill('2019-12-31');
    await page.getByTestId('programme-edit-save').click();
    await eventually('the refusal names the field', async () =>
      (await text(page.getByTestId('programme-edit-error'))).includes('申报截止日（2019-12-31）不能早于开始日（2020-01-01）'),
    );
    assert.equal((await storedProgrammes())[0]!.closes_on, '2099-12-31', 'nothing stored');
    await dialog.getByTestId('programme-edit-closes').fill('2098-12-31');
    await dialog.getByTestId('programme-edit-name').fill(`${NEW}（修订）`);
    await dialog.getByTestId('rule-remove-0').click();
    await dialog.getByTestId('rule-value-0').fill('3');
    await page.screenshot({ path: join(RESULTS, 'programme-edit.png') });
    await page.getByTestId('programme-edit-save').click();
    await eventually('the edit is stored', async () => (await storedProgrammes())[0]!.name === `${NEW}（修订）`);
    assert.deepEqual(await storedProgrammes(), [
      {
        id: published!.id,
        name: `${NEW}（修订）`,
        rules: [{ metric: 'creditLevelRank', op: '<=', value: 3 }],
        closes_on: '2098-12-31',
        status: 'open',
      },
    ]);
    // and close it: no more applications
    await confirmUntil(
      page,
      'the programme is closed',
      page.getByTestId(`programme-close-${published!.id}`),
      async () => (await storedProgrammes())[0]!.status === 'closed',
    );
    await eventually('its buttons are off', async () => await page.getByTestId(`programme-edit-${published!.id}`).isDisabled());
    assert.equal(await page.getByTestId(`programme-close-${published!.id}`).isDisabled(), true);

    // the park is closed last (the application above counted it): kept, marked closed
    await page.goto(`${tp.baseUrl}/parks`);
    await confirmUntil(
      page,
      'the park is closed',
      page.getByTestId(`park-close-${park}`),
      async () => (await parkRow()).status === 'closed',
    );
    await eventually('the park shown as closed', async () => (await text(row(page, 'parks-table', RENAMED))).includes('已关闭'));
    assert.equal(await page.getByTestId(`park-edit-${park}`).isDisabled(), true);

    // --- the seller: my applications, my training and the certificate ---------------------------------
    await loginAs(page, tp.baseUrl, 'seller');
    for (const item of ['menu-my-applications', 'menu-my-training'])
      assert.equal(await page.getByTestId(item).count(), 1, `${item} in the seller's menu`);
    await page.goto(`${tp.baseUrl}/parks/applications`);
    const mine = page.getByTestId('my-applications-table');
    await eventually('the decision and its reason', async () => {
      const s = await text(mine);
      return s.includes(PROGRAMME) && s.includes('已驳回') && s.includes('培训计划不完整，请补充课程安排') && s.includes('45');
    });
    await page.goto(`${tp.baseUrl}/parks/training`);
    const training = page.getByTestId('my-training-table');
    await eventually('the course with its certificate', async () => {
      const s = await text(training);
      return s.includes(COURSE) && s.includes(cert!.certificate_no!) && s.includes('已签到');
    });
    const href = await page.getByTestId(`my-certificate-${course}`).getAttribute('href');
    assert.ok(href);
    const pdf = await page.request.get(new URL(href, tp.baseUrl).toString());
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    const bytes = await pdf.body();
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(bytes.toString('latin1').includes(cert!.certificate_no!), 'the PDF is this certificate');

    // the closed event: listed as closed, no enrolment offered
    await page.goto(`${tp.baseUrl}/parks`);
    await eventually('the closed event is marked', async () =>
      (await text(row(page, 'offerings-table', SPARE))).includes('已关闭'),
    );
    assert.equal(await page.getByTestId(`offering-enrol-${spare}`).isDisabled(), true);

    // in English too
    await page.getByTestId('lang-en').click();
    await page.getByTestId('menu-my-applications').click();
    await eventually('in English', async () => (await text(mine)).includes('Rejected'));
  });
});
