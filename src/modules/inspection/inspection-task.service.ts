import { createHash } from 'node:crypto';
import type { AuditLog } from '../../kernel/audit.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { DomainError, forbidden, notFound, validationError, type FieldProblem } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import type { Outbox } from '../../kernel/outbox.ts';
import { actorOf, isAdmin, jurisdictionPrefix, requirePermission, type Principal } from '../identity/index.ts';
import { officerRecord, TOPIC_TASK_COMPLETED, type TaskCompletedPayload } from './inspection.release.ts';
import {
  createInspectionRepository,
  type FindingRow,
  type PhotoMetaRow,
  type PhotoRow,
  type TaskRow,
} from './inspection.repository.ts';
import { taskLifecycle } from './inspection.states.ts';
import { agenciesOf } from './rules/authority.rules.ts';
import { checkFindingCodes, FINDING_CODES, normaliseCodes } from './rules/finding-codes.rules.ts';
import { checkPhoto, photoTypeOf, PHOTO_TYPES, PHOTOS_PER_TASK } from './rules/photo.rules.ts';

export interface FindingInput {
  /**
   * which agency the officer records for; may be left out when the officer acts for one agency
   * only (`agenciesOf`: the officer's role in an agency holding that duty)
   */
  agency?: 'customs' | 'inspection';
  result: 'pass' | 'fail';
  /** result codes from the code list (`FINDING_CODES`), matching the result */
  codes: string[];
  notes?: string;
  /** ids of photos uploaded for this task (POST /inspection/tasks/:id/photos) */
  photos: string[];
}

/** An uploaded photo as it arrived: the request's Content-Type and its raw body. */
export interface PhotoUpload {
  contentType: string | undefined;
  body: unknown;
}

const TASK = { zh: '查验任务', en: 'inspection task' };
const PHOTO = { zh: '查验照片', en: 'inspection photo' };

const photoUrl = (id: string): string => `/api/v1/inspection/photos/${id}`;

function toPhotoView(r: PhotoMetaRow) {
  return {
    id: r.id,
    taskId: r.task_id,
    contentType: r.content_type,
    size: r.size_bytes,
    sha256: r.sha256,
    url: photoUrl(r.id),
    uploadedAt: new Date(r.uploaded_at).toISOString(),
  };
}

function prefixOf(p: Principal): string | null {
  if (isAdmin(p)) return null;
  return jurisdictionPrefix(p.organisation?.jurisdiction ?? null) ?? '\u0000';
}

const inScope = (p: Principal, t: TaskRow): boolean => {
  const prefix = prefixOf(p);
  return prefix === null || (t.customs_code ?? '').startsWith(prefix);
};

export function toTaskView(t: TaskRow, findings: FindingRow[], photos: PhotoMetaRow[]) {
  return {
    id: t.id,
    inventoryId: t.inventory_id,
    logisticsNo: t.logistics_no,
    customsCode: t.customs_code,
    ebcCode: t.ebc_code,
    agencies: t.agencies,
    joint: t.agencies.length > 1,
    status: t.status,
    outcomeNote: t.outcome_note,
    createdAt: new Date(t.created_at).toISOString(),
    completedAt: t.completed_at ? new Date(t.completed_at).toISOString() : null,
    releasedAt: t.released_at ? new Date(t.released_at).toISOString() : null,
    findings: findings
      .filter((f) => f.task_id === t.id)
      .map((f) => ({
        agency: f.agency,
        result: f.result,
        codes: f.codes,
        notes: f.notes,
        photos: f.photos,
        recordedAt: new Date(f.recorded_at).toISOString(),
      })),
    pending: t.agencies.filter((a) => !findings.some((f) => f.task_id === t.id && f.agency === a)),
    photos: photos.filter((x) => x.task_id === t.id).map(toPhotoView),
  };
}

export type InspectionTaskService = ReturnType<typeof createInspectionTaskService>;

export function createInspectionTaskService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  outbox: Pick<Outbox, 'publish' | 'kick'>;
}) {
  const { db, clock, audit, outbox } = deps;

  async function view(t: TaskRow) {
    const repo = createInspectionRepository(db);
    const [findings, photos] = await Promise.all([repo.findings([t.id]), repo.photos([t.id])]);
    return toTaskView(t, findings, photos);
  }

  return {
    async list(p: Principal | null, opts: { status?: string; limit?: number } = {}) {
      requirePermission(p, 'inspection.read');
      const repo = createInspectionRepository(db);
      const tasks = await repo.listTasks({
        ...(opts.status ? { status: opts.status } : {}),
        customsPrefix: prefixOf(p),
        limit: Math.min(Math.max(opts.limit ?? 200, 1), 1000),
      });
      const ids = tasks.map((t) => t.id);
      const [findings, photos] = await Promise.all([repo.findings(ids), repo.photos(ids)]);
      return tasks.map((t) => toTaskView(t, findings, photos));
    },

    async get(p: Principal | null, id: string) {
      requirePermission(p, 'inspection.read');
      const t = await createInspectionRepository(db).task(id);
      if (!t || !inScope(p, t)) throw notFound(TASK);
      return view(t);
    },

    /** The supervision-centre floor scans a waybill number: its newest task. */
    async byWaybill(p: Principal | null, logisticsNo: string) {
      requirePermission(p, 'inspection.read');
      const t = (await createInspectionRepository(db).tasksByWaybill(logisticsNo.trim())).find((x) => inScope(p, x));
      if (!t) throw notFound(TASK);
      return view(t);
    },

    /**
     * One officer records their agency's finding on the (joint) task. When every involved agency
     * has passed it, the inventory is released once through the clearance review; a failure by
     * any agency rejects it (100) with the finding as the reason. The release is an outbox event
     * committed with the finding (handler `inspection.release`), never a call after the commit that
     * a crash could lose: the answer shows the task passed, `releasedAt` follows once clearance has
     * decided.
     */
    async record(p: Principal | null, id: string, input: FindingInput) {
      requirePermission(p, 'inspection.work');
      const duties = agenciesOf(p);
      // An officer whose organisation holds neither duty for their role acts for no agency here.
      if (duties.length === 0) throw forbidden();
      const agency = input.agency ?? (duties.length === 1 ? duties[0] : undefined);
      if (!agency)
        throw validationError([
          {
            field: 'agency',
            rule: 'required',
            message: { zh: '请指明代表哪个部门记录', en: 'say which agency the finding is for' },
          },
        ]);
      if (!duties.includes(agency)) throw forbidden();
      // Access before the body: a foreign task answers 404 whatever the finding says.
      const visibleTask = await createInspectionRepository(db).task(id, false);
      if (!visibleTask || !inScope(p, visibleTask)) throw notFound(TASK);
      const problems: FieldProblem[] = checkFindingCodes(input.result, input.codes);
      if (input.result === 'fail' && !input.notes?.trim())
        problems.push({
          field: 'notes',
          rule: 'required',
          message: { zh: '查验异常必须说明情况', en: 'a failed inspection needs notes' },
        });
      if (problems.length) throw validationError(problems);
      const codes = normaliseCodes(input.codes);
      const outcome = await db.transaction().execute(async (trx) => {
        const repo = createInspectionRepository(trx);
        const t = await repo.task(id, true);
        if (!t || !inScope(p, t)) throw notFound(TASK);
        if (!taskLifecycle.can(t.status, 'record'))
          throw new DomainError('inspection.invalid_state', {
            zh: `查验任务已${t.status === 'passed' ? '通过' : t.status === 'withdrawn' ? '撤回（清单已退单或撤销）' : '异常结束'}`,
            en: `the task is already ${t.status}`,
          });
        if (!t.agencies.includes(agency))
          throw new DomainError('inspection.invalid_state', {
            zh: `本任务不需要${agency === 'customs' ? '海关' : '检验检疫'}查验`,
            en: `${agency} is not involved in this task`,
          });
        const findings = await repo.findings([t.id]);
        if (findings.some((f) => f.agency === agency))
          throw new DomainError('inspection.duplicate', {
            zh: '本部门已记录查验结果',
            en: 'this agency has already recorded its finding',
          });
        // Photos are this task's uploads, named by id: another task's photo (or none) is refused.
        const ofTask = new Set((await repo.photos([t.id])).map((x) => x.id));
        const foreign: FieldProblem[] = input.photos.flatMap((id, i) =>
          ofTask.has(id)
            ? []
            : [
                {
                  field: `photos[${i}]`,
                  rule: 'photoOfTask',
                  message: {
                    zh: `照片 ${id} 不是本查验任务上传的照片`,
                    en: `photo ${id} was not uploaded for this inspection task`,
                  },
                  value: id,
                },
              ],
        );
        if (foreign.length) throw validationError(foreign);
        const now = clock.now();
        const finding: FindingRow = {
          task_id: t.id,
          agency,
          result: input.result,
          codes,
          notes: input.notes?.trim() || null,
          photos: input.photos,
          user_id: p.userId,
          recorded_at: now,
        };
        await repo.insertFinding(finding);
        const all = [...findings, finding];
        const failed = all.find((f) => f.result === 'fail');
        const done = t.agencies.every((a) => all.some((f) => f.agency === a));
        let status = t.status;
        if (failed) status = 'failed';
        else if (done) status = 'passed';
        if (status !== t.status) {
          await repo.setTask(t.id, { status, completed_at: now, outcome_note: failed?.notes ?? null });
          const approve = status === 'passed';
          const payload: TaskCompletedPayload = {
            taskId: t.id,
            inventoryId: t.inventory_id,
            approve,
            reason: approve ? null : `查验异常 / inspection found: ${failed?.notes ?? ''}`,
            by: officerRecord(p),
          };
          await outbox.publish(trx, [{ topic: TOPIC_TASK_COMPLETED, key: t.inventory_id, payload }]);
        }
        await audit.append(trx, actorOf(p), [
          {
            action: 'inspection.task.record',
            entity: 'insp_task',
            entityId: t.id,
            before: { status: t.status },
            after: { status, agency, result: input.result, codes },
          },
        ]);
        return status;
      });
      if (outcome !== 'open') outbox.kick();
      return view((await createInspectionRepository(db).task(id))!);
    },

    /**
     * An officer on the floor uploads one photo for a task (the raw image). A task outside the
     * officer's jurisdiction, or none, answers 404 whatever was sent; then the type and the
     * bytes are checked (signature matches the Content-Type, ≤ 8 MiB). The same bytes sent again
     * for the task answer the photo already stored (created: false).
     */
    async uploadPhoto(p: Principal | null, taskId: string, upload: PhotoUpload) {
      requirePermission(p, 'inspection.work');
      return db.transaction().execute(async (trx) => {
        const repo = createInspectionRepository(trx);
        // Locked: the per-task count below holds under concurrent uploads.
        const t = await repo.task(taskId, true);
        if (!t || !inScope(p, t)) throw notFound(TASK);
        const type = photoTypeOf(upload.contentType);
        if (!type || !(upload.body instanceof Uint8Array))
          throw new DomainError(
            'inspection.unsupported_media_type',
            {
              zh: `照片须以原始图片上传，Content-Type 为 ${PHOTO_TYPES.join('、')} 之一`,
              en: `upload the photo as the raw image with Content-Type ${PHOTO_TYPES.join(', ')}`,
            },
            {
              errors: [
                { field: 'content-type', rule: 'enum', message: { zh: '不支持的照片类型', en: 'unsupported photo type' } },
              ],
            },
          );
        const problems = checkPhoto(type, upload.body);
        if (problems.length) throw validationError(problems);
        if (!agenciesOf(p).some((d) => t.agencies.includes(d))) throw forbidden();
        if (!taskLifecycle.can(t.status, 'record'))
          throw new DomainError('inspection.invalid_state', {
            zh: '查验任务已结束，不能再上传照片',
            en: `the task is already ${t.status}: no more photos`,
          });
        const bytes = Buffer.from(upload.body.buffer, upload.body.byteOffset, upload.body.byteLength);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        const existing = await repo.photos([t.id]);
        const same = existing.find((x) => x.sha256 === sha256);
        if (same) return { created: false, photo: toPhotoView(same) };
        if (existing.length >= PHOTOS_PER_TASK)
          throw validationError([
            {
              field: 'body',
              rule: 'photosPerTask',
              message: {
                zh: `每个查验任务最多 ${PHOTOS_PER_TASK} 张照片`,
                en: `at most ${PHOTOS_PER_TASK} photos per inspection task`,
              },
            },
          ]);
        const row: PhotoRow = {
          id: newId(),
          task_id: t.id,
          content_type: type,
          size_bytes: bytes.length,
          sha256,
          bytes,
          uploaded_by: p.userId,
          uploaded_at: clock.now(),
        };
        await repo.insertPhoto(row);
        await audit.append(trx, actorOf(p), [
          {
            action: 'inspection.photo.upload',
            entity: 'insp_photo',
            entityId: row.id,
            after: { taskId: t.id, contentType: type, size: row.size_bytes, sha256 },
          },
        ]);
        return { created: true, photo: toPhotoView(row) };
      });
    },

    /** A photo's bytes, only for officers who may see its task (404 otherwise). */
    async photo(p: Principal | null, id: string) {
      requirePermission(p, 'inspection.read');
      const repo = createInspectionRepository(db);
      const ph = await repo.photo(id);
      const t = ph ? await repo.task(ph.task_id) : undefined;
      if (!ph || !t || !inScope(p, t)) throw notFound(PHOTO);
      return { contentType: ph.content_type, sha256: ph.sha256, bytes: ph.bytes };
    },

    /** The result code list officers record findings from (查验结果代码). */
    findingCodes(p: Principal | null) {
      requirePermission(p, 'inspection.read');
      return FINDING_CODES.map((c) => ({ ...c }));
    },

    /** Inspection measures for the customs dashboard. */
    async measures(p: Principal | null, days = 30) {
      requirePermission(p, 'inspection.read');
      const since = new Date(clock.now().getTime() - Math.min(Math.max(days, 1), 366) * 86_400_000);
      const { passed, ...m } = await createInspectionRepository(db).taskMeasures(since, prefixOf(p));
      // Withdrawn tasks were never inspected: the hit rate is over completed inspections only.
      return { days, ...m, hitRate: passed + m.failed > 0 ? m.failed / (passed + m.failed) : null };
    },
  };
}
