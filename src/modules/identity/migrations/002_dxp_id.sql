-- The DXP (China E-port data exchange) id an organisation receives messages at: BaseSubscribe
-- names subscribers by it, so the single window can route copies to organisations it knows.
alter table organisation add column dxp_id text unique;
