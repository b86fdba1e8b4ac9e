import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { apiCall, declareParcel, declareParcels, inventoryStatuses, receiptStatuses } from './clearance.ts';
import { guidOf, makeParcel, PARTIES, type Parcel } from './parcels.ts';
import { login, startTestPlatform, type TestPlatform } from './platform.ts';

// The set-up the inspection and risk tests share: a platform with the demo, its users logged in,
// parcels declared through intake, the orange seller's quarantine parcels, the rules that select
// a parcel for inspection, and the joint-inspection task both agencies work on.

/** The demo's second seller, of Ganzhou navel oranges: fresh fruit, a quarantine category (filed with inspection in the demo). */
export const ORANGE_SELLER = { code: '3601260999', name: '赣州脐橙电商有限公司' } as const;

/**
 * Parcels' orders, waybills and inventories from the demo platform, carrier and broker (each logged
 * in afresh), one message a kind through the real intake, then the pipeline run (declareParcels);
 * each parcel keeps its inventory number. For tests that start their own platform (the browser
 * tests), not an inspectionSuite.
 */
export async function declareAsDemo(tp: TestPlatform, parcels: Parcel[], nextGuid: () => string): Promise<void> {
  const tokens: Record<string, string> = {};
  for (const u of ['platform', 'carrier', 'broker']) tokens[u] = await login(tp.platform, u);
  await declareParcels(tp, tokens, parcels, nextGuid);
}

/** The demo users the inspection and risk tests act as. */
export const INSPECTION_USERS = ['platform', 'carrier', 'broker', 'seller', 'seller2', 'customs', 'inspection'] as const;

/** Makes `p` the orange seller's parcel: one line of `itemNo` (HS 0805, fresh oranges), 1 × 68. */
export function asOrange(p: Parcel, itemNo = 'GZ-ORANGE-5KG'): void {
  for (const d of [p.order, p.waybill, p.inventory]) {
    d.head.ebcCode = ORANGE_SELLER.code;
    d.head.ebcName = ORANGE_SELLER.name;
  }
  p.inventory.head.ownerCode = ORANGE_SELLER.code;
  p.inventory.head.ownerName = ORANGE_SELLER.name;
  const o = p.order.lists.OrderList![0]!;
  Object.assign(o, { itemNo, itemName: '赣南脐橙 5 kg', unit: '035', qty: '1', price: '68', totalPrice: '68' });
  p.order.lists.OrderList = [o];
  p.order.head.goodsValue = '68';
  const i = p.inventory.lists.InventoryList![0]!;
  Object.assign(i, {
    itemNo,
    itemName: '赣南脐橙 5 kg',
    gname: '赣南脐橙 5 kg',
    gcode: '0805100000',
    unit: '035',
    unit1: '035',
    qty: '1',
    qty1: '1',
    price: '68',
    totalPrice: '68',
  });
  p.inventory.lists.InventoryList = [i];
}

/** The orange seller's inspection filing of its 5 kg oranges (the demo files it approved already). */
export const ORANGE_FILING = {
  kind: 'product',
  itemNo: 'GZ-ORANGE-5KG',
  goodsName: '赣南脐橙 5 kg',
  quarantineCategory: 'fresh_fruit',
  producer: '安远县脐橙种植基地',
  certificates: [{ type: '果园注册', number: '3600GY0088', validUntil: '2028-12-31' }],
};

/** Customs' credit sampling: every parcel of a seller graded C is inspected. */
export const CREDIT_SAMPLE_RULE = {
  id: 'R-CREDIT-SAMPLE',
  effectiveFrom: '2020-01-01',
  kind: 'credit_sampling',
  lane: 'inspect',
  params: { seed: '2026', ratesPct: { AA: 0, A: 0.5, B: 2, C: 100 } },
  explainZh: '按企业信用等级随机布控查验',
  explainEn: 'random inspection sample by enterprise credit level',
  enabled: true,
};

/** The inspection agency's selection: every porcelain parcel (HS 6911) is checked. */
export const CIQ_PORCELAIN_RULE = {
  id: 'R-CIQ-PORCELAIN',
  effectiveFrom: '2020-01-01',
  kind: 'hs_list',
  lane: 'inspect',
  params: { hsPrefixes: ['6911'], agency: 'inspection' },
  explainZh: '检验检疫抽查瓷器',
  explainEn: 'inspection checks porcelain',
  enabled: true,
};

type Body = Record<string, unknown> & { items?: Record<string, unknown>[] };

export interface InspectionSuite {
  /** The platform, started before the file's tests and stopped after them: read it inside tests. */
  readonly tp: TestPlatform;
  /** Bearer tokens by demo username; a test may log in more. */
  readonly t: Record<string, string>;
  /** The next message guid of this file's range. */
  nextGuid(): string;
  /** A JSON call as a logged-in user. */
  api(user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<{ status: number; body: Body }>;
  /** The statuses of a parcel's inventory documents, oldest first. */
  statusNow(p: Parcel): Promise<string[]>;
  /** Declares one parcel (order, waybill, inventory) and runs the pipeline: its inventory's id and number. */
  declareOne(p: Parcel): Promise<{ id: string; invtNo: string }>;
  /** Parcel n of `run`, changed by `mutate` first, declared: the parcel and its inventory's id. */
  declare(n: number, run: string, mutate?: (p: Parcel) => void): Promise<{ p: Parcel; id: string }>;
  /** A photo taken on the floor (a JPEG's signature is all the upload checks), uploaded for a task: its id. */
  photoFor(user: string, taskId: string, label: string): Promise<string>;
  /**
   * The orange seller declares a batch (201) and the inspection authority accepts it (200): its
   * parcels draw on it from then on. Answers the batch's id.
   */
  acceptedBatch(batchNo: string, qty: string, itemNo?: string): Promise<string>;
  /**
   * One batch's ledger line as `user` reads it through GET /inspection/batches:
   * [reserved, released, writtenOff, returned, balance].
   */
  ledgerOf(user: string, batchNo: string): Promise<string[]>;
  /** Customs saves the rules (each 201) and grades the demo seller C (200): credit sampling inspects its next parcel. */
  selectForInspection(...rules: object[]): Promise<void>;
  /**
   * Parcel n of `run` (n even: one line, a porcelain bowl) selected by both agencies, customs by
   * credit sampling and inspection by HS 6911: declared and held (300, receipt 500), one task listed
   * for both agencies, opened by its waybill number as `scanner`. The seller stays graded C.
   */
  jointTask(n: number, run: string, scanner: string): Promise<{ p: Parcel; id: string; invtNo: string; taskId: string }>;
}

/**
 * Registers this file's before/after hooks: a platform with the demo (env: settings on top of the
 * test config), the users logged in. `guids`: the prefix of this file's message guids.
 */
export function inspectionSuite(opts: { guids: number; users?: readonly string[]; env?: NodeJS.ProcessEnv }): InspectionSuite {
  let running: TestPlatform | undefined;
  const started = (): TestPlatform => running ?? assert.fail('the test platform starts in before()');
  const tp: TestPlatform = {
    get baseUrl() {
      return started().baseUrl;
    },
    get platform() {
      return started().platform;
    },
    get database() {
      return started().database;
    },
    stop: () => started().stop(),
  };
  const t: Record<string, string> = {};
  let g = 0;

  before(async () => {
    running = await startTestPlatform({ listen: false, ...(opts.env ? { env: opts.env } : {}) });
    for (const u of opts.users ?? INSPECTION_USERS) t[u] = await login(running.platform, u);
  });
  after(async () => {
    await running?.stop();
  });

  const nextGuid = (): string => guidOf(opts.guids, ++g);
  const api: InspectionSuite['api'] = (user, method, url, payload) => apiCall<Body>(tp, t[user]!, method, url, payload);
  const statusNow = (p: Parcel) => inventoryStatuses(tp, p);
  const declareOne = async (p: Parcel) => {
    const inv = await declareParcel(tp, t, p, nextGuid);
    return { id: inv.documentId!, invtNo: inv.invtNo! };
  };
  const selectForInspection = async (...rules: object[]) => {
    for (const r of rules) assert.equal((await api('customs', 'POST', '/api/v1/risk/rules', r)).status, 201);
    assert.equal((await api('customs', 'PUT', `/api/v1/risk/credit/${PARTIES.seller.code}`, { level: 'C' })).status, 200);
  };

  return {
    tp,
    t,
    nextGuid,
    api,
    statusNow,
    declareOne,
    selectForInspection,
    async acceptedBatch(batchNo, qty, itemNo = 'GZ-ORANGE-5KG') {
      const declared = await api('seller2', 'POST', '/api/v1/inspection/batches', { batchNo, itemNo, qty, unit: '035' });
      assert.equal(declared.status, 201, JSON.stringify(declared.body));
      assert.equal(declared.body.status, 'declared');
      const id = declared.body.id as string;
      const accepted = await api('inspection', 'POST', `/api/v1/inspection/batches/${id}/accept`, {});
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal(accepted.body.status, 'accepted');
      return id;
    },
    async ledgerOf(user, batchNo) {
      const res = await api(user, 'GET', '/api/v1/inspection/batches?limit=1000');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const b = res.body.items!.find((x) => x.batchNo === batchNo);
      assert.ok(b, `batch ${batchNo} is on ${user}'s ledger`);
      return [b.reserved, b.released, b.writtenOff, b.returned, b.balance] as string[];
    },
    async declare(n, run, mutate) {
      const p = makeParcel(n, run);
      mutate?.(p);
      return { p, id: (await declareOne(p)).id };
    },
    async photoFor(user, taskId, label) {
      const res = await tp.platform.app.inject({
        method: 'POST',
        url: `/api/v1/inspection/tasks/${taskId}/photos`,
        headers: { authorization: `Bearer ${t[user]!}`, 'content-type': 'image/jpeg' },
        payload: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(label)]),
      });
      assert.equal(res.statusCode, 201, res.body);
      return (res.json() as { id: string }).id;
    },
    async jointTask(n, run, scanner) {
      await selectForInspection(CREDIT_SAMPLE_RULE, CIQ_PORCELAIN_RULE);
      const p = makeParcel(n, run);
      const { id, invtNo } = await declareOne(p);
      assert.deepEqual(await statusNow(p), ['300']);
      assert.deepEqual(await receiptStatuses(tp, 'CEB604', p.inventory.head.guid!), ['2', '120', '500']);
      const listed = (await api('inspection', 'GET', '/api/v1/inspection/tasks')).body.items!;
      assert.equal(listed.filter((x) => x.inventoryId === id).length, 1, 'one task for both agencies');
      const scanned = await api(scanner, 'GET', `/api/v1/inspection/tasks/by-waybill/${p.logisticsNo}`);
      assert.equal(scanned.status, 200);
      assert.deepEqual([scanned.body.agencies, scanned.body.joint], [['customs', 'inspection'], true]);
      return { p, id, invtNo, taskId: scanned.body.id as string };
    },
  };
}
