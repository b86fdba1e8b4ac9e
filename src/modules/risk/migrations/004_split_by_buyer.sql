-- The split-shipment rule can key on the buyer (key field "buyer": a fingerprint of the buyer's
-- name and address from the seller's imported orders, see rules/risk.rules.ts), falling back to
-- seller and destination for parcels whose order was not imported. The rule customs starts from
-- uses it, still switched off as before. Only where customs has not edited the seeded rule.
insert into rsk_rule (id, version, effective_from, kind, lane, params, explain_zh, explain_en, enabled)
select 'R-SPLIT', 2, '2018-06-30', 'split_shipment', 'review',
  '{"windowHours": 24, "minCount": 20, "maxValue": "5000", "keyFields": ["buyer", "ebcCode", "country", "POD"]}',
  '同一买家（姓名及地址相同；无导入订单时为同一企业同一目的地）短时间内大量低值包裹，疑似拆单',
  'many low-value parcels to the same buyer/address (without an imported order: of one seller to one destination) in a short window: possible split shipment',
  false
where exists (select 1 from rsk_rule where id = 'R-SPLIT' and version = 1)
  and not exists (select 1 from rsk_rule where id = 'R-SPLIT' and version > 1);
