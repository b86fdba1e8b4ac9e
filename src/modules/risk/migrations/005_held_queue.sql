-- The risk-hit queue read the newest 1,000 decisions not in the green lane and kept those whose
-- parcel was still held (300): under load, older held parcels fell off the end and no page reached
-- them. A decision now carries whether its parcel still waits: set when the engine holds it,
-- cleared when clearance decides, rejects, cancels or deletes it (outbox topics clearance.reviewed
-- and clearance.withdrawn), so the queue pages over held parcels only, on a partial index.
alter table rsk_decision add column held boolean not null default false;
-- Earlier decisions: every one not in the green lane is a candidate; the queue checks candidates
-- against clearance and clears those no longer held as it meets them.
update rsk_decision set held = true where lane <> 'green';
create index rsk_decision_held on rsk_decision (decided_at desc, inventory_id desc) where held;
create index rsk_decision_held_seller on rsk_decision (ebc_code) where held;
