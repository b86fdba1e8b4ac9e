import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { validateCeb } from '../../ceb/index.ts';
import { DEMO_PRODUCTS, type Product } from '../filing/index.ts';
import { readRows, templateCsv, templateXlsx, type FileKind } from './orders.files.ts';
import { buildInventory, checkDraft, orderEntity, TRADE_MODES } from './rules/inventory.ts';
import { createOrderAssembler, detectLayout, looksLikeHeader } from './rules/rows.ts';
import { countryCode, currencyCode } from './rules/values.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => createReadStream(path.join(here, 'fixtures', name));

async function parse(input: Readable, kind: FileKind, layout?: 'aliexpress' | 'ebay' | 'generic') {
  let asm: ReturnType<typeof createOrderAssembler> | null = null;
  let id = '';
  for await (const { row, cells } of readRows(input, kind)) {
    if (!asm) {
      if (!looksLikeHeader(cells)) continue;
      const d = detectLayout(cells, row, layout);
      if (!d.map) return { layout: '', orders: [], problems: d.problems, rejected: 0 };
      asm = createOrderAssembler(d.map);
      id = d.map.layout.id;
      continue;
    }
    asm.add(cells, row);
  }
  assert.ok(asm, 'a header row');
  return { layout: id, ...asm.finish() };
}

test('codes: ISO, English and Chinese names map to customs codes', () => {
  assert.equal(countryCode('US'), '502');
  assert.equal(countryCode('USA'), '502');
  assert.equal(countryCode('United States'), '502');
  assert.equal(countryCode('美国'), '502');
  assert.equal(countryCode('United Kingdom'), '303');
  assert.equal(countryCode('France'), countryCode('FRA'));
  assert.equal(countryCode('Atlantis'), undefined);
  assert.equal(currencyCode('USD'), '502');
  assert.equal(currencyCode('CNY'), '142');
  assert.equal(currencyCode('142'), '142');
  assert.equal(currencyCode('XYZ'), undefined);
});

test('AliExpress export: detected, two rows of one order are its two lines', async () => {
  const r = await parse(fixture('aliexpress.csv'), 'csv');
  assert.equal(r.layout, 'aliexpress');
  assert.deepEqual(r.problems, []);
  assert.equal(r.orders.length, 2);
  const [a, b] = r.orders;
  assert.equal(a!.orderNo, '8123456789001');
  assert.equal(a!.lines.length, 2);
  assert.equal(a!.goodsValue, '1100');
  assert.equal(a!.freight, '35');
  assert.equal(a!.currency, '142');
  assert.equal(a!.buyerCountry, '502');
  assert.equal(a!.trackingNo, 'EA100000001CN');
  assert.equal(b!.buyerCountry, countryCode('FRA'));
  assert.equal(b!.trackingNo, null);
});

test('eBay report: leading blank line, order summary row, £ prices, footer lines skipped', async () => {
  const r = await parse(fixture('ebay.csv'), 'csv');
  assert.equal(r.layout, 'ebay');
  assert.deepEqual(r.problems, []);
  assert.equal(r.orders.length, 2);
  const o = r.orders.find((x) => x.orderNo === '12-34567-89012')!;
  assert.equal(o.lines.length, 1);
  assert.equal(o.lines[0]!.itemNo, 'QHC-BOWL-01');
  assert.equal(o.lines[0]!.totalPrice, '40');
  assert.equal(o.currency, '303'); // GBP
  assert.equal(o.freight, '6');
  assert.equal(o.buyerCountry, '303');
  assert.match(o.buyerAddress, /Baker Street, London, NW1 6XE/);
});

test('generic template: per-row errors name row, column and rule; bad orders are rejected whole', async () => {
  const r = await parse(fixture('generic.csv'), 'csv');
  assert.equal(r.layout, 'generic');
  assert.deepEqual(
    r.orders.map((o) => o.orderNo),
    ['G-0001', 'G-0002'],
  );
  assert.equal(r.orders[1]!.buyerCountry, '502');
  assert.deepEqual(
    r.problems.map((p) => `${p.row}|${p.column}|${p.rule}`),
    ['4|数量/Qty|number', '5|币制/Currency|codeTable', '5|买家国家/Buyer Country|codeTable'],
  );
  assert.equal(r.rejected, 2);
  assert.ok(r.problems.every((p) => p.message.zh && p.message.en));
});

test('eBay report with bad rows: row numbers as the spreadsheet shows them (leading blank line, a two-line address cell)', async () => {
  const r = await parse(fixture('ebay-bad.csv'), 'csv');
  assert.equal(r.layout, 'ebay');
  assert.deepEqual(
    r.problems.map((p) => `${p.row}|${p.column}|${p.rule}|${p.value ?? ''}`),
    ['5|Custom Label|required|', '7|Quantity|number|two', '8|Ship To Country|codeTable|Narnia'],
  );
  assert.ok(r.problems.every((p) => p.message.zh && p.message.en));
  // The good orders; 90001 is rejected whole for its bad line, the footer lines are no orders.
  assert.deepEqual(
    r.orders.map((o) => `${o.orderNo}@${o.row}`),
    ['12-34567-90002@6', '12-34567-90005@9'],
  );
  assert.equal(r.rejected, 3);
  assert.match(r.orders[0]!.buyerAddress, /10 High Street, Flat 2\nRose Court, Leeds, LS1 4DY/);
});

test('AliExpress export (Chinese headers) with bad rows: row, column and rule of each', async () => {
  const r = await parse(fixture('aliexpress-bad.csv'), 'csv');
  assert.equal(r.layout, 'aliexpress');
  assert.deepEqual(
    r.problems.map((p) => `${p.row}|${p.column}|${p.rule}`),
    ['3|商品总金额|arithmetic', '4|数量|positive', '5|币种|codeTable', '7|币种|orderConsistency', '9|订单号|required'],
  );
  assert.deepEqual(
    r.orders.map((o) => `${o.orderNo}@${o.row}`),
    ['8123456790005@8'],
  );
  // four orders rejected whole, and the row without an order number
  assert.equal(r.rejected, 5);
});

test('a named layout missing a required column says which', async () => {
  const r = await parse(fixture('aliexpress.csv'), 'csv', 'generic');
  assert.equal(r.layout, '');
  assert.ok(r.problems.length > 0);
});

test('XLSX generated with exceljs parses like the CSV; the templates parse with no errors', async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Orders');
  ws.addRow(['Order ID', 'Product SKU', 'Quantity', 'Unit Price', 'Currency', 'Buyer Country', 'Buyer Name']);
  ws.addRow(['X-1', 'QHC-BOWL-01', 3, 150, 'CNY', 'USA', 'A']);
  ws.addRow(['X-1', 'QHC-VASE-02', 1, 800.5, 'CNY', 'USA', 'A']);
  ws.addRow(['X-2', 'QHC-VASE-02', -1, 800, 'CNY', 'USA', 'B']);
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  const r = await parse(Readable.from([buf]), 'xlsx');
  assert.equal(r.layout, 'aliexpress');
  assert.equal(r.orders.length, 1);
  assert.equal(r.orders[0]!.goodsValue, '1250.5');
  assert.deepEqual(
    r.problems.map((p) => `${p.row}|${p.column}|${p.rule}`),
    ['4|Quantity|positive'],
  );

  const x = await parse(Readable.from([await templateXlsx()]), 'xlsx');
  assert.equal(x.layout, 'generic');
  assert.deepEqual(x.problems, []);
  assert.equal(x.orders.length, 1);
  const c = await parse(Readable.from([templateCsv()]), 'csv');
  assert.deepEqual(c.problems, []);
  assert.equal(c.orders[0]!.grossWeight, '1.6');
});

const product = (itemNo: string): Product => {
  const p = DEMO_PRODUCTS.find((d) => d.itemNo === itemNo)!;
  return {
    id: '00000000-0000-7000-8000-000000000001',
    sellerOrgId: '00000000-0000-7000-8000-000000000002',
    ebcCode: p.ebcCode,
    ebcUscc: null,
    itemNo: p.itemNo,
    gname: p.gname,
    gnameEn: p.gnameEn ?? null,
    hsCode: p.hsCode,
    gmodel: p.gmodel,
    unit: p.unit,
    legalUnit1: p.legalUnit1,
    legalUnit2: p.legalUnit2 ?? null,
    originCountry: '142',
    referencePrice: p.referencePrice,
    currency: '142',
    barcode: null,
    quarantineCategory: null,
    jurisdiction: '4004',
    status: 'approved',
    reason: null,
    submittedAt: null,
    reviewedAt: null,
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  };
};

const seller = { code: '3601260888', name: '景德镇青花瓷业进出口有限公司' };
const platform = { code: '3601960001', name: '赣品出海跨境平台有限公司' };
const params = {
  customsCode: '4006',
  portCode: '4006',
  tradeMode: '9610' as const,
  trafMode: '5',
  statisticsFlag: 'B' as const,
  ieDate: '20261126',
  appTime: '20261126103000',
};
const order = {
  orderNo: 'SO-1',
  currency: '142',
  goodsValue: '1100',
  freight: '35',
  insuredFee: '0',
  buyerCountry: '502',
  trackingNo: 'EA1CN',
  grossWeight: '3',
  netWeight: '2.7',
  lines: [
    { gnum: 1, itemNo: 'QHC-BOWL-01', itemName: 'bowl', qty: '2', price: '150', totalPrice: '300' },
    { gnum: 2, itemNo: 'QHC-VASE-02', itemName: 'vase', qty: '1', price: '800', totalPrice: '800' },
  ],
};
const products = new Map([
  ['QHC-BOWL-01', product('QHC-BOWL-01')],
  ['QHC-VASE-02', product('QHC-VASE-02')],
]);

test('builder: a complete order gives a CEB603 entity the validator accepts, and its CEB303', () => {
  const built = buildInventory({
    order,
    products,
    seller,
    platform,
    agent: { code: '3601980099', name: '南昌昌北报关行有限公司' },
    carrier: { code: '3601980012', name: '中国邮政速递物流股份有限公司江西省分公司' },
    params,
    guid: 'A1B2C3D4-0000-4000-8000-000000000001',
    copNo: 'D0001',
  });
  assert.deepEqual(built.problems, []);
  assert.equal(built.head.POD, '502');
  assert.equal(built.head.ownerCode, seller.code);
  assert.equal(built.lines[0]!.gcode, '6911101900');
  assert.equal(built.lines[0]!.qty1, '2');
  const base = { copCode: '3601980099', copName: 'b', dxpMode: 'DXP', dxpId: 'DXPENT3601980099' };
  assert.deepEqual(
    validateCeb({
      messageType: 'CEB603',
      guid: 'A1B2C3D4-0000-4000-8000-0000000000FF',
      version: '1.0',
      entities: [{ head: built.head, lists: { InventoryList: built.lines } }],
      baseTransfer: base,
    }),
    [],
  );
  const o = orderEntity({
    order,
    products,
    seller,
    platform,
    guid: 'A1B2C3D4-0000-4000-8000-000000000002',
    appTime: params.appTime,
  });
  assert.deepEqual(
    validateCeb({
      messageType: 'CEB303',
      guid: 'A1B2C3D4-0000-4000-8000-0000000000FE',
      version: '1.0',
      entities: [o],
      baseTransfer: { ...base, copCode: seller.code },
    }),
    [],
  );
});

test('builder: every trade mode a seller may choose gives a valid CEB603 under that mode', () => {
  assert.deepEqual([...TRADE_MODES], ['9610', '9710', '9810']);
  for (const tradeMode of TRADE_MODES) {
    const built = buildInventory({
      order,
      products,
      seller,
      platform,
      agent: { code: '3601980099', name: '南昌昌北报关行有限公司' },
      carrier: { code: '3601980012', name: '中国邮政速递物流股份有限公司江西省分公司' },
      params: { ...params, tradeMode },
      guid: 'A1B2C3D4-0000-4000-8000-000000000003',
      copNo: 'D0003',
    });
    assert.deepEqual(built.problems, [], tradeMode);
    assert.equal(built.head.tradeMode, tradeMode);
  }
});

test('builder: what the order cannot say is listed per field; a different legal unit needs qty1', () => {
  const kg = { ...product('QHC-BOWL-01'), legalUnit1: '035' };
  const built = buildInventory({
    order: { ...order, trackingNo: null, grossWeight: null, netWeight: null, lines: [order.lines[0]!] },
    products: new Map([['QHC-BOWL-01', kg]]),
    seller,
    platform,
    agent: seller,
    carrier: null,
    params,
    guid: 'A1B2C3D4-0000-4000-8000-000000000003',
    copNo: 'D0002',
  });
  assert.deepEqual(
    built.problems.map((p) => `${p.field}:${p.rule}`),
    ['logisticsCode:required', 'logisticsNo:required', 'grossWeight:required', 'netWeight:required', 'lines[0].qty1:required'],
  );
  const fixed = checkDraft(
    { ...built.head, logisticsCode: '3601980012', logisticsName: 'EMS', logisticsNo: 'EA9CN', grossWeight: '1', netWeight: '2' },
    [{ ...built.lines[0]!, qty1: '1.6' }],
  );
  assert.deepEqual(
    fixed.map((p) => `${p.field}:${p.rule}`),
    ['netWeight:netWeight'],
  );
});
