import { Button, Card, Col, Form, Input, Row, Select, Space, Typography } from 'antd';
import type { FormInstance } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  chinaTime,
  FilingResult,
  newCopNo,
  parseScans,
  remember,
  remembered,
  ScanBox,
  useCebFiling,
  usePickable,
  useTransportModes,
} from '../components/CebFiling.tsx';
import { api, errorMessage } from '../api.ts';
import { documentKey, type ClearanceDocument } from '../clearance.ts';
import type { MessageKey } from '../i18n/zh-CN.ts';
import { useLocale } from '../i18n/index.ts';
import { hasPermission, organisationName, useSession } from '../session.tsx';
import type { Session, SessionOrganisation } from '../types.ts';

/**
 * The site documents filed from the web, each through its JSON resource of the clearance module:
 * the warehouse operator's (or postal carrier's) arrival CEB507 (`POST /api/v1/arrivals`), the
 * declaring agent's or seller's total-sub bill CEB607 (`POST /api/v1/consolidations`) and the
 * carrier's departure CEB509 (`POST /api/v1/departures`). The server decides who may send what;
 * these forms only show to the roles it accepts.
 */
export type SiteKind = 'arrival' | 'consolidation' | 'departure';

/** Enterprise roles the server accepts as senders (src/modules/clearance/rules/documents.rules.ts). */
const SENDERS: Readonly<Record<SiteKind, readonly string[]>> = {
  arrival: ['warehouse', 'logistics'],
  consolidation: ['agent', 'ebc'],
  departure: ['logistics'],
};

export function mayFile(session: Session, kind: SiteKind): boolean {
  const org = session.user.organisation;
  if (!org || org.kind !== 'enterprise' || !org.code) return false;
  return hasPermission(session, 'ceb.submit') && SENDERS[kind].some((r) => org.roles.includes(r));
}

/** The customs office an enterprise declares at by default: its competent office, when a 4-digit code. */
function homeCustoms(org: SessionOrganisation): string {
  return org.jurisdiction && /^\d{4}$/.test(org.jurisdiction) ? org.jurisdiction : '';
}

const lengthRule = (max: number) => ({ max, message: `≤ ${max}` });
const customsRule = (t: (k: MessageKey) => string) => ({ pattern: /^\d{4}$/, message: t('sitefile.customsCode4') });

/** Text values trimmed, empty ones left out (the server fills nothing it is not given). */
function compact(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null) continue;
    const s = String(v).trim();
    if (s) out[k] = s;
  }
  return out;
}

const listOf = (scans: string[]) => scans.map((logisticsNo, i) => ({ gnum: String(i + 1), logisticsNo }));

/** Shows who sends, in the reader's language; the message itself carries the name filed with customs. */
function Sender({ org }: { org: SessionOrganisation }) {
  const { t } = useTranslation();
  const locale = useLocale();
  return (
    <Typography.Paragraph type="secondary">
      {t('sitefile.sender')}：{organisationName(org, locale)}（{org.code}）
    </Typography.Paragraph>
  );
}

function Buttons({
  form,
  pending,
  testId,
  onReset,
}: {
  form: FormInstance;
  pending: boolean;
  testId: string;
  onReset: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Space>
      <Button type="primary" htmlType="submit" loading={pending} data-testid={`${testId}-submit`}>
        {t('sitefile.submit')}
      </Button>
      <Button
        onClick={() => {
          form.resetFields();
          onReset();
        }}
      >
        {t('sitefile.reset')}
      </Button>
    </Space>
  );
}

// ---- CEB507 arrival -------------------------------------------------------------------------------

interface ArrivalValues {
  customsCode: string;
  copNo: string;
  loctNo?: string;
  trafMode: string;
  billNo?: string;
  domesticTrafNo: string;
  logisticsCode: string;
  logisticsName: string;
  note?: string;
  parcels: string;
}
const ARRIVAL_FIELDS = [
  'customsCode',
  'copNo',
  'loctNo',
  'trafMode',
  'billNo',
  'domesticTrafNo',
  'logisticsCode',
  'logisticsName',
  'note',
] as const;

/** 运抵单: the parcels that reached the supervised site, scanned one per line. */
export function ArrivalFiling() {
  const { t } = useTranslation();
  const org = useSession().user.organisation!;
  const [form] = Form.useForm<ArrivalValues>();
  const modes = useTransportModes();
  const filing = useCebFiling(form, 'arrivals', { fields: ARRIVAL_FIELDS, scanField: 'parcels' });
  const postal = org.roles.includes('logistics');
  const memory = remembered<ArrivalValues>('arrival');
  const initial: Partial<ArrivalValues> = {
    trafMode: '5',
    ...memory,
    customsCode: homeCustoms(org),
    copNo: newCopNo('ARR'),
    ...(postal ? { logisticsCode: org.code ?? '', logisticsName: org.name } : {}),
  };
  const onFinish = async (v: ArrivalValues) => {
    const scans = parseScans(v.parcels);
    const { parcels: _parcels, ...head } = v;
    remember('arrival', {
      trafMode: v.trafMode,
      loctNo: v.loctNo,
      domesticTrafNo: v.domesticTrafNo,
      logisticsCode: v.logisticsCode,
      logisticsName: v.logisticsName,
    });
    const outcome = await filing.submit(
      {
        ...compact(head),
        operatorCode: org.code,
        operatorName: org.name,
        ieFlag: 'E',
        msgCount: '1',
        msgSeqNo: '1',
        lines: listOf(scans),
      },
      scans,
    );
    if (outcome && outcome.accepted > 0) form.setFieldsValue({ parcels: '', copNo: newCopNo('ARR') });
  };
  return (
    <Card title={t('sitefile.arrivalTitle')} className="block-gap" data-testid="arrival-filing">
      <Sender org={org} />
      <Form<ArrivalValues> form={form} layout="vertical" initialValues={initial} onFinish={(v) => void onFinish(v)}>
        <Row gutter={16}>
          <Col xs={24} md={6}>
            <Form.Item name="customsCode" label={t('sitefile.customsCode')} rules={[{ required: true }, customsRule(t)]}>
              <Input maxLength={4} data-testid="arrival-customsCode" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="copNo" label={t('sitefile.copNo')} rules={[{ required: true }, lengthRule(30)]}>
              <Input data-testid="arrival-copNo" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="trafMode" label={t('sitefile.trafMode')} rules={[{ required: true }]}>
              <Select options={modes} showSearch={{ optionFilterProp: 'label' }} data-testid="arrival-trafMode" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="loctNo" label={t('sitefile.loctNo')} rules={[lengthRule(10)]}>
              <Input data-testid="arrival-loctNo" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="domesticTrafNo" label={t('sitefile.domesticTrafNo')} rules={[{ required: true }, lengthRule(100)]}>
              <Input placeholder="赣A12345" data-testid="arrival-domesticTrafNo" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="billNo" label={t('sitefile.billNo')} rules={[lengthRule(37)]}>
              <Input data-testid="arrival-billNo" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="logisticsCode" label={t('sitefile.logisticsCode')} rules={[{ required: true }, lengthRule(18)]}>
              <Input placeholder="3601980012" disabled={postal} data-testid="arrival-logisticsCode" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="logisticsName" label={t('sitefile.logisticsName')} rules={[{ required: true }, lengthRule(100)]}>
              <Input disabled={postal} data-testid="arrival-logisticsName" />
            </Form.Item>
          </Col>
        </Row>
        <ScanBox testId="arrival-parcels" />
        <Form.Item name="note" label={t('sitefile.note')} rules={[lengthRule(1000)]}>
          <Input data-testid="arrival-note" />
        </Form.Item>
        <Buttons form={form} pending={filing.pending} testId="arrival" onReset={filing.reset} />
      </Form>
      <FilingResult state={filing.state} testId="arrival" />
    </Card>
  );
}

// ---- CEB607 total-sub bill -----------------------------------------------------------------------

interface ConsolidationValues {
  customsCode: string;
  copNo: string;
  billNo: string;
  trafMode: string;
  trafName: string;
  voyageNo: string;
  grossWeight: string;
  logisticsCode: string;
  logisticsName: string;
  domesticTrafNo?: string;
  loctNo?: string;
  note?: string;
  parcels: string;
}
const CONSOLIDATION_FIELDS = [
  'customsCode',
  'copNo',
  'billNo',
  'trafMode',
  'trafName',
  'voyageNo',
  'grossWeight',
  'logisticsCode',
  'logisticsName',
  'domesticTrafNo',
  'loctNo',
  'note',
] as const;

/** A parcel of the warehouse's dispatch on a master bill: `GET /api/v1/warehouse/waybill-lists`. */
interface HandoverLine {
  gnum: string;
  totalPackageNo: string;
  logisticsNo: string;
  invtNo: string | null;
}
interface DispatchHandover {
  billNo: string;
  logisticsCode: string | null;
  WayBillList: HandoverLine[];
}

/** 清单总分单: binds inventories (by logistics number) to a master bill and flight; customs releases them. */
export function ConsolidationFiling() {
  const { t } = useTranslation();
  const org = useSession().user.organisation!;
  const [form] = Form.useForm<ConsolidationValues>();
  const modes = useTransportModes();
  const filing = useCebFiling(form, 'consolidations', { fields: CONSOLIDATION_FIELDS, scanField: 'parcels' });
  // decided inventories (399) wait for their bill: the agent picks them instead of typing
  const waiting = usePickable('inventory', '399');
  const inventories = (waiting.data?.items ?? []).filter((d) => d.live && d.head.logisticsNo);
  const memory = remembered<ConsolidationValues>('consolidation');
  // bag and inventory number per parcel, when the list came from the warehouse's dispatch
  const [handover, setHandover] = useState<Map<string, HandoverLine>>(new Map());
  const [handoverError, setHandoverError] = useState<string | null>(null);
  const locale = useLocale();
  const loadDispatch = async () => {
    const billNo = String(form.getFieldValue('billNo') ?? '').trim();
    if (!billNo) {
      form.setFields([{ name: 'billNo', errors: [t('sitefile.billNoFirst')] }]);
      return;
    }
    try {
      const list = await api<DispatchHandover>('/warehouse/waybill-lists', { query: { billNo } });
      setHandoverError(null);
      setHandover(new Map(list.WayBillList.map((l) => [l.logisticsNo, l])));
      form.setFieldsValue({
        parcels: list.WayBillList.map((l) => l.logisticsNo).join('\n'),
        ...(list.logisticsCode ? { logisticsCode: list.logisticsCode } : {}),
      });
      void form.validateFields(['parcels']).catch(() => undefined);
    } catch (e) {
      setHandoverError(errorMessage(e, locale));
    }
  };
  const initial: Partial<ConsolidationValues> = {
    trafMode: '5',
    ...memory,
    customsCode: homeCustoms(org),
    copNo: newCopNo('BIL'),
  };
  const pick = (ids: string[]) => {
    const chosen = inventories.filter((d) => ids.includes(d.id));
    if (chosen.length === 0) return;
    const scans = parseScans(form.getFieldValue('parcels') as string | undefined);
    const add = chosen.map((d) => d.head.logisticsNo!).filter((n) => !scans.includes(n));
    const carriers = [...new Set(chosen.map((d) => d.head.logisticsCode))];
    const weight = chosen.reduce((a, d) => a + (Number(d.head.grossWeight) || 0), 0);
    form.setFieldsValue({
      parcels: [...scans, ...add].join('\n'),
      ...(carriers.length === 1
        ? { logisticsCode: chosen[0]!.head.logisticsCode ?? '', logisticsName: chosen[0]!.head.logisticsName ?? '' }
        : {}),
      ...(weight > 0 ? { grossWeight: String(Math.round(weight * 1000) / 1000) } : {}),
    });
    form.setFields(
      carriers.length > 1
        ? [{ name: 'logisticsCode', errors: [t('sitefile.mixedCarriers')] }]
        : [{ name: 'logisticsCode', errors: [] }],
    );
    void form.validateFields(['parcels']).catch(() => undefined);
  };
  const onFinish = async (v: ConsolidationValues) => {
    const scans = parseScans(v.parcels);
    const { parcels: _parcels, ...head } = v;
    remember('consolidation', {
      trafMode: v.trafMode,
      trafName: v.trafName,
      voyageNo: v.voyageNo,
      logisticsCode: v.logisticsCode,
      logisticsName: v.logisticsName,
    });
    // the inventory number travels with the parcel when the agent knows it
    const invtNoOf = new Map(inventories.map((d) => [d.head.logisticsNo, d.invtNo]));
    const outcome = await filing.submit(
      {
        ...compact(head),
        agentCode: org.code,
        agentName: org.name,
        msgCount: '1',
        msgSeqNo: '1',
        lines: listOf(scans).map((l) => {
          const bag = handover.get(l.logisticsNo);
          const invtNo = bag?.invtNo ?? invtNoOf.get(l.logisticsNo);
          return { ...l, ...(bag ? { totalPackageNo: bag.totalPackageNo } : {}), ...(invtNo ? { invtNo } : {}) };
        }),
      },
      scans,
    );
    if (outcome && outcome.accepted > 0) form.setFieldsValue({ parcels: '', copNo: newCopNo('BIL') });
  };
  return (
    <Card title={t('sitefile.consolidationTitle')} className="block-gap" data-testid="consolidation-filing">
      <Sender org={org} />
      <Form<ConsolidationValues> form={form} layout="vertical" initialValues={initial} onFinish={(v) => void onFinish(v)}>
        <Form.Item label={t('sitefile.pickInventories')} extra={t('sitefile.pickInventoriesHint')}>
          <Select<string[]>
            mode="multiple"
            allowClear
            value={[]}
            loading={waiting.isPending}
            onChange={pick}
            showSearch={{ optionFilterProp: 'label' }}
            options={inventories.map((d) => ({
              value: d.id,
              label: `${documentKey(d)} · ${d.head.logisticsNo} · ${d.invtNo ?? ''}`,
            }))}
            data-testid="consolidation-pick"
          />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={6}>
            <Form.Item
              label={t('sitefile.billNo')}
              required
              extra={t('sitefile.loadDispatchHint')}
              validateStatus={handoverError ? 'error' : undefined}
              help={handoverError ?? undefined}
            >
              <Space.Compact block>
                <Form.Item name="billNo" noStyle rules={[{ required: true }, lengthRule(37)]}>
                  <Input data-testid="consolidation-billNo" />
                </Form.Item>
                <Button onClick={() => void loadDispatch()} data-testid="consolidation-load-dispatch">
                  {t('sitefile.loadDispatch')}
                </Button>
              </Space.Compact>
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="customsCode" label={t('sitefile.customsCode')} rules={[{ required: true }, customsRule(t)]}>
              <Input maxLength={4} data-testid="consolidation-customsCode" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="copNo" label={t('sitefile.copNo')} rules={[{ required: true }, lengthRule(30)]}>
              <Input data-testid="consolidation-copNo" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="trafMode" label={t('sitefile.trafMode')} rules={[{ required: true }]}>
              <Select options={modes} showSearch={{ optionFilterProp: 'label' }} data-testid="consolidation-trafMode" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="trafName" label={t('sitefile.trafName')} rules={[{ required: true }, lengthRule(100)]}>
              <Input placeholder="CA1234" data-testid="consolidation-trafName" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="voyageNo" label={t('sitefile.voyageNo')} rules={[{ required: true }, lengthRule(32)]}>
              <Input placeholder="CA1234" data-testid="consolidation-voyageNo" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item
              name="grossWeight"
              label={t('sitefile.grossWeight')}
              rules={[{ required: true }, { pattern: /^\d+(\.\d{1,5})?$/, message: '0.000' }]}
            >
              <Input data-testid="consolidation-grossWeight" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="domesticTrafNo" label={t('sitefile.domesticTrafNo')} rules={[lengthRule(100)]}>
              <Input data-testid="consolidation-domesticTrafNo" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="logisticsCode" label={t('sitefile.logisticsCode')} rules={[{ required: true }, lengthRule(18)]}>
              <Input placeholder="3601980012" data-testid="consolidation-logisticsCode" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="logisticsName" label={t('sitefile.logisticsName')} rules={[{ required: true }, lengthRule(100)]}>
              <Input data-testid="consolidation-logisticsName" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="loctNo" label={t('sitefile.loctNo')} rules={[lengthRule(10)]}>
              <Input data-testid="consolidation-loctNo" />
            </Form.Item>
          </Col>
        </Row>
        <ScanBox testId="consolidation-parcels" />
        <Form.Item name="note" label={t('sitefile.note')} rules={[lengthRule(1000)]}>
          <Input data-testid="consolidation-note" />
        </Form.Item>
        <Buttons form={form} pending={filing.pending} testId="consolidation" onReset={filing.reset} />
      </Form>
      <FilingResult state={filing.state} testId="consolidation" />
    </Card>
  );
}

// ---- CEB509 departure ----------------------------------------------------------------------------

interface DepartureValues {
  customsCode: string;
  copNo: string;
  billNo?: string;
  trafMode: string;
  trafName?: string;
  voyageNo?: string;
  leaveTime: string;
  note?: string;
  parcels: string;
}
const DEPARTURE_FIELDS = ['customsCode', 'copNo', 'billNo', 'trafMode', 'trafName', 'voyageNo', 'leaveTime', 'note'] as const;

/** 离境单: the parcels on board; customs closes (899) every inventory it names. */
export function DepartureFiling() {
  const { t } = useTranslation();
  const org = useSession().user.organisation!;
  const [form] = Form.useForm<DepartureValues>();
  const modes = useTransportModes();
  const filing = useCebFiling(form, 'departures', { fields: DEPARTURE_FIELDS, scanField: 'parcels' });
  // the bills naming this carrier: picking one fills the flight and its parcels
  const bills = usePickable('consolidation', undefined);
  const [billId, setBillId] = useState<string | undefined>(undefined);
  const billDocs = (bills.data?.items ?? []).filter((d) => d.live);
  const memory = remembered<DepartureValues>('departure');
  const initial: Partial<DepartureValues> = {
    trafMode: '5',
    ...memory,
    customsCode: homeCustoms(org),
    copNo: newCopNo('DEP'),
    leaveTime: chinaTime(),
  };
  const pickBill = (id: string | undefined) => {
    setBillId(id);
    const d: ClearanceDocument | undefined = billDocs.find((b) => b.id === id);
    if (!d) return;
    const h = d.head;
    form.setFieldsValue({
      billNo: h.billNo ?? '',
      ...(h.trafMode ? { trafMode: h.trafMode } : {}),
      trafName: h.trafName ?? '',
      voyageNo: h.voyageNo ?? '',
      ...(h.customsCode ? { customsCode: h.customsCode } : {}),
      parcels: d.lines
        .map((l) => l.logisticsNo)
        .filter(Boolean)
        .join('\n'),
    });
    void form.validateFields(['parcels']).catch(() => undefined);
  };
  const onFinish = async (v: DepartureValues) => {
    const scans = parseScans(v.parcels);
    const { parcels: _parcels, ...head } = v;
    remember('departure', { trafMode: v.trafMode, trafName: v.trafName, voyageNo: v.voyageNo });
    const outcome = await filing.submit(
      {
        ...compact(head),
        logisticsCode: org.code,
        logisticsName: org.name,
        msgCount: '1',
        msgSeqNo: '1',
        lines: listOf(scans),
      },
      scans,
    );
    if (outcome && outcome.accepted > 0) {
      form.setFieldsValue({ parcels: '', copNo: newCopNo('DEP') });
      setBillId(undefined);
    }
  };
  return (
    <Card title={t('sitefile.departureTitle')} className="block-gap" data-testid="departure-filing">
      <Sender org={org} />
      <Form<DepartureValues> form={form} layout="vertical" initialValues={initial} onFinish={(v) => void onFinish(v)}>
        <Form.Item label={t('sitefile.pickBill')} extra={t('sitefile.pickBillHint')}>
          <Select<string>
            allowClear
            value={billId}
            loading={bills.isPending}
            onChange={pickBill}
            showSearch={{ optionFilterProp: 'label' }}
            options={billDocs.map((d) => ({
              value: d.id,
              label: `${d.head.billNo ?? d.head.copNo ?? ''} · ${d.head.voyageNo ?? ''} · ${t('sitefile.parcelCount', { count: d.lines.length })}`,
            }))}
            data-testid="departure-pick"
          />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={6}>
            <Form.Item name="billNo" label={t('sitefile.billNo')} rules={[lengthRule(37)]}>
              <Input data-testid="departure-billNo" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="customsCode" label={t('sitefile.customsCode')} rules={[{ required: true }, customsRule(t)]}>
              <Input maxLength={4} data-testid="departure-customsCode" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="copNo" label={t('sitefile.copNo')} rules={[{ required: true }, lengthRule(30)]}>
              <Input data-testid="departure-copNo" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="trafMode" label={t('sitefile.trafMode')} rules={[{ required: true }]}>
              <Select options={modes} showSearch={{ optionFilterProp: 'label' }} data-testid="departure-trafMode" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="trafName" label={t('sitefile.trafName')} rules={[lengthRule(100)]}>
              <Input placeholder="CA1234" data-testid="departure-trafName" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="voyageNo" label={t('sitefile.voyageNo')} rules={[lengthRule(32)]}>
              <Input placeholder="CA1234" data-testid="departure-voyageNo" />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item
              name="leaveTime"
              label={t('sitefile.leaveTime')}
              extra={t('sitefile.leaveTimeHint')}
              rules={[{ required: true }, { pattern: /^\d{14}$/, message: t('sitefile.time14') }]}
            >
              <Input maxLength={14} className="mono" data-testid="departure-leaveTime" />
            </Form.Item>
          </Col>
        </Row>
        <ScanBox testId="departure-parcels" />
        <Form.Item name="note" label={t('sitefile.note')} rules={[lengthRule(1000)]}>
          <Input data-testid="departure-note" />
        </Form.Item>
        <Buttons
          form={form}
          pending={filing.pending}
          testId="departure"
          onReset={() => {
            filing.reset();
            setBillId(undefined);
          }}
        />
      </Form>
      <FilingResult state={filing.state} testId="departure" />
    </Card>
  );
}
