import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { login, startTestPlatform, type TestPlatform } from '../../../test/support/platform.ts';
import { guidOf, makeParcel, message, PARTIES, type Parcel } from '../../../test/support/parcels.ts';
import { submitOk, apiCall } from '../../../test/support/clearance.ts';

// The inspection station on the floor: the risk engine selects porcelain vases (HS 6913) for an
// inspection; scanning that parcel at the centre tells the clerk its task is open.
let tp: TestPlatform;
const t: Record<string, string> = {};
let g = 0;

before(async () => {
  tp = await startTestPlatform({ listen: false });
  for (const u of ['platform', 'carrier', 'broker', 'customs', 'warehouse']) t[u] = await login(tp.platform, u);
});
after(async () => {
  await tp?.stop();
});

const api = (user: string, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
  apiCall<Record<string, unknown>>(tp, t[user]!, method, url, payload);

async function declare(p: Parcel): Promise<void> {
  await submitOk(tp, t.platform!, message('CEB303', guidOf(91, ++g), PARTIES.platform, [p.order]));
  await submitOk(tp, t.carrier!, message('CEB505', guidOf(91, ++g), PARTIES.carrier, [p.waybill]));
  await submitOk(tp, t.broker!, message('CEB603', guidOf(91, ++g), PARTIES.broker, [p.inventory]));
  await tp.platform.settle();
}

test('scanning a parcel whose inspection task is open sends it to the inspection station', async () => {
  const rule = await api('customs', 'POST', '/api/v1/risk/rules', {
    id: 'R-WH-PORCELAIN',
    kind: 'hs_list',
    lane: 'inspect',
    params: { hsPrefixes: ['6913'], agency: 'customs' },
    effectiveFrom: '2020-01-01',
    explainZh: '说明',
    explainEn: 'explanation',
    enabled: true,
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  // an odd n has a bowl and a vase (6913): selected; an even n has only a bowl
  const vase = makeParcel(1, 'I');
  const other = makeParcel(4, 'I');
  await declare(vase);
  await declare(other);
  const task = await api('customs', 'GET', `/api/v1/inspection/tasks/by-waybill/${vase.logisticsNo}`);
  assert.equal(task.status, 200, JSON.stringify(task.body));

  const scan = await api('warehouse', 'POST', '/api/v1/warehouse/receive', { logisticsNo: vase.logisticsNo });
  assert.equal(scan.status, 200, JSON.stringify(scan.body));
  assert.equal(scan.body.inspection, 'open');
  // scanned again at the station it still says so
  const again = await api('warehouse', 'POST', '/api/v1/warehouse/receive', { logisticsNo: vase.logisticsNo });
  assert.equal(again.body.repeated, true);
  assert.equal(again.body.inspection, 'open');

  const plain = await api('warehouse', 'POST', '/api/v1/warehouse/receive', { logisticsNo: other.logisticsNo });
  assert.equal(plain.status, 200, JSON.stringify(plain.body));
  assert.equal(plain.body.inspection, null);
});
