import { hsElements, isValidCode } from '../../../codes/index.ts';
import type { FieldProblem } from '../../../kernel/errors.ts';

/**
 * Product filing checks (商品备案), pure: field lengths as CEB603 InventoryList allows, code tables,
 * and the HS code's required declaration elements (申报要素) named in the model text.
 */

/** Quarantine categories a product may carry, for the inspection (检验检疫) work later. */
export const QUARANTINE_CATEGORIES = [
  'fresh_fruit',
  'vegetables',
  'grain',
  'meat',
  'aquatic',
  'dairy',
  'animal_products',
  'plants',
  'processed_food',
  'cosmetics',
  'other',
] as const;
export type QuarantineCategory = (typeof QUARANTINE_CATEGORIES)[number];

/**
 * The quarantine category an HS code implies, by chapter (2 digits) or heading (4 digits) of the
 * HS nomenclature; the longest listed prefix wins. Animals, plants and foods are what inspection &
 * quarantine still supervises for CBEC exports (国办发〔2013〕89号: quarantine-focused, general
 * manufactures no longer legally inspected; cbec-export-facts.md §5.5). The headings are the HS
 * titles as the code table (src/codes hs.json) names their goods; the assignment of each to one of
 * QUARANTINE_CATEGORIES is ours [I]. A code not listed implies none.
 */
export const HS_QUARANTINE_CATEGORIES: Readonly<Record<string, QuarantineCategory>> = {
  '01': 'animal_products', // live animals
  '02': 'meat', // meat and edible offal
  '03': 'aquatic', // fish, crustaceans, molluscs
  '0401': 'dairy', // milk and cream …
  '0402': 'dairy',
  '0403': 'dairy',
  '0404': 'dairy',
  '0405': 'dairy',
  '0406': 'dairy', // … to cheese
  '0407': 'animal_products', // birds' eggs
  '0408': 'animal_products',
  '0409': 'animal_products', // natural honey
  '0410': 'animal_products', // edible insects, other edible animal products
  '05': 'animal_products', // products of animal origin
  '06': 'plants', // live trees, plants, bulbs, cut flowers
  '07': 'vegetables', // edible vegetables, roots and tubers
  '08': 'fresh_fruit', // edible fruit and nuts (0805: oranges) …
  '0811': 'processed_food', // … but frozen,
  '0812': 'processed_food', // provisionally preserved,
  '0813': 'processed_food', // dried (other than 0801–0806)
  '0814': 'processed_food', // and citrus or melon peel are processed
  '09': 'plants', // coffee, tea, spices
  '10': 'grain', // cereals
  '11': 'grain', // products of the milling industry
  '12': 'plants', // oil seeds, seeds for sowing, medicinal plants, straw and fodder
  '13': 'plants', // lac, gums, resins
  '14': 'plants', // vegetable plaiting materials
  '15': 'processed_food', // animal and vegetable fats and oils
  '16': 'processed_food', // preparations of meat or fish
  '17': 'processed_food', // sugars
  '18': 'processed_food', // cocoa
  '19': 'processed_food', // preparations of cereals
  '20': 'processed_food', // preparations of vegetables or fruit
  '21': 'processed_food', // miscellaneous edible preparations
  '22': 'processed_food', // beverages
  '23': 'other', // residues of the food industries, animal fodder
  '3303': 'cosmetics', // perfumes
  '3304': 'cosmetics', // beauty and make-up preparations
  '3305': 'cosmetics', // hair preparations
  '3306': 'cosmetics', // oral hygiene
  '3307': 'cosmetics', // shaving, deodorants, bath preparations
  '4101': 'animal_products', // raw hides and skins
  '4102': 'animal_products',
  '4103': 'animal_products',
  '4301': 'animal_products', // raw furskins
  '4401': 'plants', // fuel wood, wood chips
  '4403': 'plants', // wood in the rough
  '5001': 'animal_products', // silkworm cocoons
  '5101': 'animal_products', // wool, not carded
  '5102': 'animal_products', // fine or coarse animal hair
  '5201': 'plants', // cotton, not carded
};

/** The category an HS code implies (HS_QUARANTINE_CATEGORIES), or null. */
export function quarantineCategoryOf(hsCode: string): QuarantineCategory | null {
  return HS_QUARANTINE_CATEGORIES[hsCode.slice(0, 4)] ?? HS_QUARANTINE_CATEGORIES[hsCode.slice(0, 2)] ?? null;
}

/**
 * The category a product is filed under: the seller's, else the one its HS code implies. Leaving
 * the category out must not take a fresh orange out of quarantine supervision.
 */
export function filedQuarantineCategory(p: { hsCode: string; quarantineCategory?: string | null | undefined }): string | null {
  return p.quarantineCategory || quarantineCategoryOf(p.hsCode);
}

export const PRODUCT_LIMITS = { itemNo: 20, gname: 250, gnameEn: 250, gmodel: 250, barcode: 50 } as const;
export const DEFAULT_ORIGIN_COUNTRY = '142';
export const DEFAULT_CURRENCY = '142';

/** The fields `checkProduct` reads (the API input, before defaults). */
export interface ProductFields {
  itemNo: string;
  gname: string;
  gnameEn?: string | undefined;
  hsCode: string;
  gmodel: string;
  unit: string;
  legalUnit1: string;
  legalUnit2?: string | undefined;
  originCountry?: string | undefined;
  referencePrice: string;
  currency?: string | undefined;
  barcode?: string | undefined;
  quarantineCategory?: string | undefined;
}

const PRICE = /^\d{1,14}(\.\d{1,5})?$/;

const normaliseName = (s: string): string => s.replace(/（/g, '(').replace(/）/g, ')').replace(/\s+/g, '').trim();
/** "品牌（中文或外文名称）" → "品牌": the element name without its explanatory parenthesis. */
const baseName = (s: string): string => normaliseName(s).replace(/\(.*\)$/, '');

/** The element names a model text states, "品牌类型：0|出口享惠情况：3|…" → {品牌类型, 出口享惠情况}. */
export function namedElements(gmodel: string): Set<string> {
  const out = new Set<string>();
  for (const part of gmodel.split(/[|｜]/)) {
    const m = /^([^:：]+)[:：](.*)$/s.exec(part.trim());
    if (!m || !m[1] || !(m[2] ?? '').trim()) continue;
    out.add(normaliseName(m[1]));
  }
  return out;
}

/** Required declaration elements of `hsCode` that the model text does not name (with a value). */
export function missingElements(hsCode: string, gmodel: string): string[] {
  const named = namedElements(gmodel);
  return hsElements(hsCode)
    .filter((e) => e.required)
    .map((e) => e.element)
    .filter((el) => !named.has(normaliseName(el)) && !named.has(baseName(el)));
}

const problem = (field: string, rule: string, zh: string, en: string, value?: unknown): FieldProblem =>
  value === undefined ? { field, rule, message: { zh, en } } : { field, rule, message: { zh, en }, value };

function checkLength(
  out: FieldProblem[],
  field: string,
  value: string | undefined,
  max: number,
  required: boolean,
  label: string,
) {
  if (value === undefined) return;
  if (required && value.trim() === '') out.push(problem(field, 'required', `${label}必填`, `${field} is required`));
  else if ([...value].length > max) {
    out.push(problem(field, 'maxLength', `${label}不能超过${max}个字符`, `${field} is longer than ${max} characters`, value));
  }
}

function checkCode(out: FieldProblem[], field: string, table: 'unit' | 'country' | 'currency', value: string | undefined) {
  if (value === undefined) return;
  if (!isValidCode(table, value)) {
    out.push(
      problem(
        field,
        'codeTable',
        `“${value}”不在${TABLE_ZH[table]}代码表中`,
        `"${value}" is not in the ${table} code table`,
        value,
      ),
    );
  }
}

const TABLE_ZH = { unit: '计量单位', country: '国别', currency: '币制' } as const;

/**
 * Every problem of one product, fields prefixed with `prefix` (e.g. `items[3].`). Empty when valid.
 */
export function checkProduct(p: ProductFields, prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  const f = (name: string) => `${prefix}${name}`;
  checkLength(out, f('itemNo'), p.itemNo, PRODUCT_LIMITS.itemNo, true, '商品货号');
  if (p.itemNo.trim() !== '' && p.itemNo !== p.itemNo.trim()) {
    out.push(problem(f('itemNo'), 'format', '商品货号首尾不能有空格', 'itemNo has leading or trailing spaces', p.itemNo));
  }
  checkLength(out, f('gname'), p.gname, PRODUCT_LIMITS.gname, true, '商品名称');
  checkLength(out, f('gnameEn'), p.gnameEn, PRODUCT_LIMITS.gnameEn, false, '英文名称');
  checkLength(out, f('gmodel'), p.gmodel, PRODUCT_LIMITS.gmodel, true, '规格型号');
  checkLength(out, f('barcode'), p.barcode, PRODUCT_LIMITS.barcode, false, '条形码');

  let hsOk = false;
  if (!/^\d{10}$/.test(p.hsCode)) {
    out.push(problem(f('hsCode'), 'pattern', 'HS编码须为10位数字', 'hsCode must be 10 digits', p.hsCode));
  } else if (!isValidCode('hs', p.hsCode)) {
    out.push(
      problem(
        f('hsCode'),
        'codeTable',
        `HS编码“${p.hsCode}”不在商品编码表中`,
        `HS code "${p.hsCode}" is not in the hs table`,
        p.hsCode,
      ),
    );
  } else hsOk = true;
  if (hsOk && p.gmodel.trim() !== '') {
    for (const el of missingElements(p.hsCode, p.gmodel)) {
      out.push(
        problem(
          f('gmodel'),
          'declarationElement',
          `规格型号缺少HS ${p.hsCode} 的必报申报要素“${el}”`,
          `gmodel does not name the required declaration element "${el}" of HS ${p.hsCode}`,
          el,
        ),
      );
    }
  }

  checkCode(out, f('unit'), 'unit', p.unit);
  checkCode(out, f('legalUnit1'), 'unit', p.legalUnit1);
  checkCode(out, f('legalUnit2'), 'unit', p.legalUnit2);
  checkCode(out, f('originCountry'), 'country', p.originCountry);
  checkCode(out, f('currency'), 'currency', p.currency);

  if (!PRICE.test(p.referencePrice)) {
    out.push(
      problem(
        f('referencePrice'),
        'format',
        '参考价格须为数字，最多14位整数、5位小数',
        'referencePrice must be a decimal number (≤ 14 integer and 5 fraction digits)',
        p.referencePrice,
      ),
    );
  } else if (!/[1-9]/.test(p.referencePrice)) {
    out.push(
      problem(
        f('referencePrice'),
        'exclusiveMinimum',
        '参考价格须大于0',
        'referencePrice must be greater than 0',
        p.referencePrice,
      ),
    );
  }
  if (p.quarantineCategory !== undefined && !(QUARANTINE_CATEGORIES as readonly string[]).includes(p.quarantineCategory)) {
    out.push(problem(f('quarantineCategory'), 'enum', '检疫类别无效', 'unknown quarantine category', p.quarantineCategory));
  }
  return out;
}

/** Rows repeating an earlier row's itemNo within one request. */
export function duplicateItemNos(items: readonly { itemNo: string }[], prefix = 'items'): FieldProblem[] {
  const seen = new Map<string, number>();
  const out: FieldProblem[] = [];
  items.forEach((it, i) => {
    const first = seen.get(it.itemNo);
    if (first === undefined) seen.set(it.itemNo, i);
    else {
      out.push(
        problem(
          `${prefix}[${i}].itemNo`,
          'unique',
          `商品货号“${it.itemNo}”与第${first + 1}行重复`,
          `itemNo "${it.itemNo}" repeats ${prefix}[${first}]`,
          it.itemNo,
        ),
      );
    }
  });
  return out;
}
