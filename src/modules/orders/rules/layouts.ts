import type { Bilingual } from '../../../kernel/errors.ts';

/**
 * Order-file column layouts, as data. The header names follow the marketplaces' own order
 * exports (AliExpress seller centre 订单导出 in English and Chinese, eBay Seller Hub "Orders
 * report" CSV) and the platform's bilingual generic template. A province or a platform operator
 * adds a layout (DHgate, Global Sources, a local ERP…) by adding an entry here: the parser, the
 * detection and the per-row checks are derived from this table, no code changes.
 */
export const ORDER_FIELDS = [
  'orderNo',
  'itemNo',
  'itemName',
  'qty',
  'price',
  'lineTotal',
  'currency',
  'freight',
  'insuredFee',
  'buyerName',
  'buyerCountry',
  'buyerAddress',
  'buyerPhone',
  'trackingNo',
  'grossWeight',
  'netWeight',
] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];

export const LAYOUT_IDS = ['aliexpress', 'ebay', 'generic'] as const;
export type LayoutId = (typeof LAYOUT_IDS)[number];
export const MARKETPLACES = [...LAYOUT_IDS, 'api'] as const;
export type Marketplace = (typeof MARKETPLACES)[number];

export interface Layout {
  id: LayoutId;
  name: Bilingual;
  /** accepted header names per field, any language; compared case- and space-insensitively */
  columns: Partial<Record<OrderField, readonly string[]>>;
  /** fields joined from several columns (address lines), in this order, ", "-separated */
  composite?: Partial<Record<OrderField, readonly (readonly string[])[]>>;
  /** a file in this layout must have these columns */
  required: readonly OrderField[];
  /** rows whose first non-empty cell matches are report footers, not orders */
  footer?: readonly RegExp[];
}

export const LAYOUTS: readonly Layout[] = [
  {
    id: 'aliexpress',
    name: { zh: '速卖通订单导出', en: 'AliExpress order export' },
    columns: {
      orderNo: ['Order ID', 'Order Number', '订单号', '订单编号'],
      itemNo: ['Product SKU', 'SKU Code', 'Seller SKU', '商品编码', 'SKU编码', '商家编码'],
      itemName: ['Product Name', 'Product Information', '商品名称', '产品名称'],
      qty: ['Quantity', 'Product Quantity', '数量', '商品数量'],
      price: ['Unit Price', 'Product Unit Price', '单价', '商品单价'],
      lineTotal: ['Product Total', 'Product Amount', '商品总金额', '商品总价'],
      currency: ['Currency', '币种', '币制'],
      freight: ['Shipping Cost', 'Logistics Amount', '运费', '物流费用'],
      buyerName: ['Buyer Name', 'Receiver Name', 'Contact Name', '买家名称', '收货人'],
      buyerCountry: ['Buyer Country', 'Receiver Country', 'Country', '收货国家', '买家国家'],
      buyerAddress: ['Shipping Address', 'Receiver Address', '收货地址'],
      buyerPhone: ['Phone Number', 'Receiver Phone', '联系电话'],
      trackingNo: ['Tracking Number', 'Logistics Number', '物流单号', '运单号'],
      grossWeight: ['Gross Weight (kg)', '毛重', '毛重(kg)'],
      netWeight: ['Net Weight (kg)', '净重', '净重(kg)'],
    },
    required: ['orderNo', 'itemNo', 'qty', 'currency', 'buyerCountry'],
  },
  {
    id: 'ebay',
    name: { zh: 'eBay 订单报表', en: 'eBay orders report' },
    columns: {
      orderNo: ['Order Number', 'Sales Record Number'],
      itemNo: ['Custom Label', 'Custom label (SKU)', 'SKU'],
      itemName: ['Item Title'],
      qty: ['Quantity'],
      price: ['Sold For', 'Sale Price'],
      currency: ['Currency', 'Transaction Currency'],
      freight: ['Shipping And Handling', 'Shipping and handling'],
      buyerName: ['Ship To Name', 'Buyer Name'],
      buyerCountry: ['Ship To Country', 'Buyer Country'],
      buyerPhone: ['Ship To Phone'],
      trackingNo: ['Tracking Number'],
    },
    composite: {
      buyerAddress: [['Ship To Address 1'], ['Ship To Address 2'], ['Ship To City'], ['Ship To State'], ['Ship To Zip']],
    },
    required: ['orderNo', 'itemNo', 'qty', 'price', 'buyerCountry'],
    footer: [/record\(s\) downloaded/i, /^seller id\s*:/i],
  },
  {
    id: 'generic',
    name: { zh: '通用订单模板', en: 'generic order template' },
    columns: {
      orderNo: ['订单号/Order No'],
      itemNo: ['商品货号/SKU'],
      itemName: ['商品名称/Item Name'],
      qty: ['数量/Qty'],
      price: ['单价/Unit Price'],
      lineTotal: ['总价/Line Total'],
      currency: ['币制/Currency'],
      freight: ['运费/Freight'],
      insuredFee: ['保费/Insurance'],
      buyerName: ['买家姓名/Buyer Name'],
      buyerCountry: ['买家国家/Buyer Country'],
      buyerAddress: ['收货地址/Shipping Address'],
      buyerPhone: ['买家电话/Buyer Phone'],
      trackingNo: ['物流单号/Tracking No'],
      grossWeight: ['毛重(千克)/Gross Weight (kg)'],
      netWeight: ['净重(千克)/Net Weight (kg)'],
    },
    required: ['orderNo', 'itemNo', 'qty', 'price', 'currency', 'buyerCountry'],
  },
];

/** The generic template's header, in column order (what `template.xlsx` / `.csv` carry). */
export const GENERIC_TEMPLATE_HEADER: readonly string[] = ORDER_FIELDS.map((f) => {
  const names = LAYOUTS.find((l) => l.id === 'generic')?.columns[f];
  return names?.[0] ?? f;
});

/** One example row of the generic template (the demo seller's bowl to the United States). */
export const GENERIC_TEMPLATE_EXAMPLE: Readonly<Record<OrderField, string>> = {
  orderNo: 'SO-20261126-0001',
  itemNo: 'QHC-BOWL-01',
  itemName: '青花瓷碗 Blue-and-white bowl',
  qty: '2',
  price: '150',
  lineTotal: '300',
  currency: 'CNY',
  freight: '35',
  insuredFee: '0',
  buyerName: 'Jane Doe',
  buyerCountry: 'USA',
  buyerAddress: '1 Main St, Springfield, IL 62701',
  buyerPhone: '+1-217-5550100',
  trackingNo: 'EA123456789CN',
  grossWeight: '1.6',
  netWeight: '1.4',
};

/** Header names compare without case, spaces, punctuation widths: "Order ID" = "order id" = "ORDERID". */
export function normaliseHeader(h: string): string {
  return h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.:：()（）]/g, '');
}
