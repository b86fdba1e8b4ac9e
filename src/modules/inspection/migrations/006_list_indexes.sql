-- Indexes for the inspection lists and lookups that had none.

-- Tasks with a failed finding per seller over the rating window (inspection.lookup.ts
-- failedTaskCounts, the credit factor `inspection_findings`: ebc_code = any(...) and created_at >= since).
create index insp_task_ebc_created on insp_task (ebc_code, created_at);

-- The desk's measures (taskMeasures: created_at >= since) and the task list without a status
-- filter (listTasks: newest first); insp_task_open leads with the status.
create index insp_task_created on insp_task (created_at);

-- An enterprise's own filings and batches, newest first (listFilings, listBatches by
-- organisation_id); the existing indexes lead with the enterprise code or the status.
create index insp_filing_org on insp_filing (organisation_id, updated_at desc);
create index insp_batch_org on insp_batch (organisation_id, created_at desc);
