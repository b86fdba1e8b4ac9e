import { SYSTEM_ACTOR, type AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { newId } from '../../kernel/ids.ts';
import { createFilingRepository } from './filing.repository.ts';
import { toEnterpriseFiling, toProduct } from './filing.shared.ts';
import type { ProductFilingRow } from './filing.tables.ts';
import { checkProduct, type ProductFields } from './rules/product.ts';
import { organisationDirectory } from '../identity/index.ts';

/** Every demo enterprise of the identity demo, filed and approved (issue #3 point 1). */
export const DEMO_FILED_ENTERPRISES: readonly {
  code: string;
  legalRep: string;
  contactName: string;
  phone: string;
  address: string;
}[] = [
  {
    code: '3601960001',
    legalRep: '刘建国',
    contactName: '王敏',
    phone: '0791-88001001',
    address: '江西省南昌市红谷滩区赣江中大道1号',
  },
  {
    code: '3601260888',
    legalRep: '陈青华',
    contactName: '李瓷',
    phone: '0798-82200888',
    address: '江西省景德镇市珠山区陶阳南路88号',
  },
  {
    code: '3601260999',
    legalRep: '钟赣南',
    contactName: '刘橙',
    phone: '0797-83300999',
    address: '江西省赣州市章贡区赣江源大道99号',
  },
  {
    code: '3601980012',
    legalRep: '周邮',
    contactName: '吴递',
    phone: '0791-87600012',
    address: '江西省南昌市新建区昌北机场货运区12号',
  },
  { code: '3101960003', legalRep: '孙连通', contactName: '郑付', phone: '021-50100003', address: '上海市浦东新区世纪大道3号' },
  {
    code: '3601980099',
    legalRep: '黄昌北',
    contactName: '赵关',
    phone: '0791-87600099',
    address: '江西省南昌市新建区空港大道99号',
  },
  {
    code: '3601980077',
    legalRep: '徐监管',
    contactName: '何仓',
    phone: '0791-87600077',
    address: '江西省南昌市新建区空港大道77号',
  },
  {
    code: '3601990100',
    legalRep: '许海外',
    contactName: 'Lin Wei',
    phone: '+1-213-5550100',
    address: '1000 Harbor Blvd, Los Angeles, CA, USA',
  },
];

/** The demo products, exactly as issue #3 names them; each gmodel names all required 申报要素. */
export const DEMO_PRODUCTS: readonly (ProductFields & { ebcCode: string })[] = [
  {
    ebcCode: '3601260888',
    itemNo: 'QHC-BOWL-01',
    gname: '青花瓷碗',
    gnameEn: 'Blue-and-white porcelain bowl',
    hsCode: '6911101900',
    gmodel:
      '出口享惠情况：0|品牌类型：1|品牌（中文或外文名称）：景德青花|是否为骨瓷：非骨瓷|材质（瓷制、陶制）：瓷制|种类（餐具、厨房器具等）：餐具（碗）',
    unit: '011',
    legalUnit1: '011',
    originCountry: '142',
    referencePrice: '150',
    currency: '142',
  },
  {
    ebcCode: '3601260888',
    itemNo: 'QHC-VASE-02',
    gname: '青花瓷瓶',
    gnameEn: 'Blue-and-white porcelain vase',
    hsCode: '6913100000',
    gmodel: '出口享惠情况：0|品牌类型：1|材质（瓷制、陶制）：瓷制|用途：室内装饰',
    unit: '011',
    legalUnit1: '011',
    originCountry: '142',
    referencePrice: '800',
    currency: '142',
  },
  {
    ebcCode: '3601260999',
    itemNo: 'GZ-ORANGE-5KG',
    gname: '赣南脐橙 5 kg',
    gnameEn: 'Gannan navel oranges, 5 kg',
    hsCode: '0805100000',
    gmodel:
      '出口享惠情况：0|制作或保存方法（鲜、干）：鲜|品牌类型：1|品牌（中文或外文名称）：赣南脐橙|每箱个数（如30个/箱）：20个/箱|注册厂商：赣州脐橙电商有限公司|种类（如脐橙、夏橙等）：脐橙|等级（如一级、二级等）：一级',
    unit: '035',
    legalUnit1: '035',
    originCountry: '142',
    referencePrice: '68',
    currency: '142',
    quarantineCategory: 'fresh_fruit',
  },
];

/**
 * Files (approved) every demo enterprise and the demo products. Idempotent: a second run writes
 * nothing; a filing changed since (rejected, edited) is restored. Needs the identity demo first.
 */
export async function seedFilingDemo(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
}): Promise<{ enterprises: number; products: number }> {
  for (const p of DEMO_PRODUCTS) {
    const problems = checkProduct(p);
    if (problems.length) throw new Error(`demo product ${p.itemNo} is invalid: ${problems.map((x) => x.message.en).join('; ')}`);
  }
  return deps.db.transaction().execute(async (trx) => {
    const repo = createFilingRepository(trx);
    const now = deps.clock.now();
    const orgs = await organisationDirectory(trx).byCodes(DEMO_FILED_ENTERPRISES.map((e) => e.code));
    const byCode = new Map(orgs.map((o) => [o.customs_code ?? '', o]));
    const missing = DEMO_FILED_ENTERPRISES.filter((e) => !byCode.has(e.code)).map((e) => e.code);
    if (missing.length) throw new Error(`seedFilingDemo: seed the identity demo first (missing ${missing.join(', ')})`);

    const enterprises = await repo.upsertEnterprises(
      DEMO_FILED_ENTERPRISES.map((e) => {
        const o = byCode.get(e.code) as NonNullable<ReturnType<typeof byCode.get>>;
        return {
          id: newId(),
          organisation_id: o.id,
          customs_code: o.customs_code,
          uscc: o.uscc,
          name: o.name,
          licence_no: o.uscc ?? e.code,
          legal_rep: e.legalRep,
          contact_name: e.contactName,
          contact_phone: e.phone,
          contact_email: `filing-${e.code}@demo.cbec.example`,
          address: e.address,
          roles: o.roles,
          jurisdiction: o.jurisdiction,
          status: 'approved',
          reason: null,
          submitted_at: now,
          reviewed_at: now,
          reviewed_by: null,
        };
      }),
      now,
    );

    const rows: Omit<ProductFilingRow, 'created_at' | 'updated_at'>[] = DEMO_PRODUCTS.map((p) => {
      const o = byCode.get(p.ebcCode) as NonNullable<ReturnType<typeof byCode.get>>;
      return {
        id: newId(),
        seller_org_id: o.id,
        ebc_code: p.ebcCode,
        ebc_uscc: o.uscc,
        item_no: p.itemNo,
        gname: p.gname,
        gname_en: p.gnameEn ?? null,
        hs_code: p.hsCode,
        gmodel: p.gmodel,
        unit: p.unit,
        legal_unit1: p.legalUnit1,
        legal_unit2: p.legalUnit2 ?? null,
        origin_country: p.originCountry ?? '142',
        reference_price: p.referencePrice,
        currency: p.currency ?? '142',
        barcode: p.barcode ?? null,
        quarantine_category: p.quarantineCategory ?? null,
        jurisdiction: o.jurisdiction,
        status: 'approved',
        reason: null,
        submitted_at: now,
        reviewed_at: now,
        reviewed_by: null,
      };
    });
    const products = await repo.upsertProducts(rows, now);

    await deps.audit.append(trx, SYSTEM_ACTOR, [
      ...enterprises.map((r) => ({
        action: 'demo.seed',
        entity: 'enterprise_filing',
        entityId: r.id,
        after: toEnterpriseFiling(r),
      })),
      ...products.map((r) => ({ action: 'demo.seed', entity: 'product_filing', entityId: r.id, after: toProduct(r) })),
    ]);
    return { enterprises: enterprises.length, products: products.length };
  });
}
