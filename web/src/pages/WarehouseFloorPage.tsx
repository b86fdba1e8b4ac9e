import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Input, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, ApiError, apiUrl, errorMessage } from '../api.ts';
import { Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/zh-CN.ts';

interface Parcel {
  logisticsNo: string;
  logisticsCode: string;
  status: string;
  route: string | null;
}
interface InspectionTask {
  id: string;
  status: string;
  agencies: string[];
  joint: boolean;
  pending: string[];
  createdAt: string;
}
interface ReceiveResult {
  parcel: Parcel;
  repeated: boolean;
  declared: boolean;
  invtNo: string | null;
  inspection: string | null;
  held: boolean;
  inspectionTask: InspectionTask | null;
}
/** One carrier's parcel a scanned number may mean (409 `choose_carrier`). */
interface Candidate {
  logisticsCode: string;
  logisticsName: string | null;
  invtNo: string | null;
}
interface Bag {
  id: string;
  bagNo: string;
  route: string;
  logisticsCode: string;
  status: 'open' | 'closed' | 'dispatched';
  parcelCount: number;
}
interface Dispatch {
  id: string;
  copNo: string;
  returnStatus: string;
  returnInfo: string;
  parcelCount: number;
  bagNos: string[];
  createdAt: string;
}

const BIG = { fontSize: 28, height: 64 };

/** A message as the server gave it: Chinese first, English second (one line each on the floor). */
interface Bi {
  zh: string;
  en: string;
}

function bilingual(e: unknown): Bi {
  if (e instanceof ApiError) return { zh: e.detailZh, en: e.detailEn };
  const text = e instanceof Error ? e.message : String(e);
  return { zh: text, en: '' };
}

function BiLines({ text, testId }: { text: Bi; testId?: string }) {
  return (
    <span data-testid={testId}>
      <span style={{ display: 'block' }}>{text.zh}</span>
      {text.en && text.en !== text.zh ? <span style={{ display: 'block', fontSize: '0.8em' }}>{text.en}</span> : null}
    </span>
  );
}

/** A floor text in both languages, Chinese first, whatever the user's language. */
function useBoth() {
  const { i18n } = useTranslation();
  const zh = i18n.getFixedT('zh-CN');
  const en = i18n.getFixedT('en');
  return (key: MessageKey): Bi => ({ zh: zh(key), en: en(key) });
}

/** A scan field: a keyboard-wedge scanner types the number and presses Enter; the field clears and keeps focus. */
function ScanField({ onScan, testId, disabled }: { onScan: (v: string) => void; testId: string; disabled?: boolean }) {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  return (
    <Input
      autoFocus
      size="large"
      style={BIG}
      value={value}
      disabled={disabled}
      placeholder={t('floor.scanHint')}
      data-testid={testId}
      onChange={(e) => setValue(e.target.value)}
      onPressEnter={() => {
        const v = value.trim();
        setValue('');
        if (v) onScan(v);
      }}
    />
  );
}

function Last({ children, type }: { children: ReactNode; type: 'success' | 'error' | 'warning' }) {
  return <Alert type={type} showIcon className="block-gap" style={{ fontSize: 22 }} title={children} data-testid="scan-result" />;
}

/** The inspection station: the task the scan opened, and the hold until it is completed. */
function InspectionCard({ no, task, both }: { no: string; task: InspectionTask | null; both: ReturnType<typeof useBoth> }) {
  const { t } = useTranslation();
  const agency = (a: string) => (a === 'customs' || a === 'inspection' ? t(`floorInspection.agency.${a}`) : a);
  return (
    <Alert
      type="warning"
      showIcon
      className="block-gap"
      style={{ fontSize: 22 }}
      data-testid="scan-inspection"
      title={<BiLines text={both('floorInspection.held')} testId="scan-held" />}
      description={
        <div style={{ fontSize: 20 }}>
          {task ? (
            <div data-testid="inspection-task" data-task-id={task.id}>
              {t('floorInspection.task')} {task.id.slice(-8).toUpperCase()}
              {' · '}
              {task.joint ? `${t('floorInspection.joint')} · ` : ''}
              {task.agencies.map(agency).join(' + ')}
              {task.pending.length ? ` · ${t('floorInspection.pending')}: ${task.pending.map(agency).join(' + ')}` : ''}
              {' · '}
              <Link to={`/inspection/tasks?waybill=${encodeURIComponent(no)}`}>{t('floorInspection.openTask')}</Link>
            </div>
          ) : (
            <BiLines text={both('floorInspection.selected')} />
          )}
        </div>
      }
    />
  );
}

type ReceiveEntry =
  | { ok: true; text: string; no: string; held: boolean; task: InspectionTask | null }
  | { ok: false; error: Bi; scanned: string; candidates: Candidate[] };

function ReceiveTab() {
  const { t } = useTranslation();
  const both = useBoth();
  const [log, setLog] = useState<ReceiveEntry[]>([]);
  const receive = useMutation({
    mutationFn: (input: { logisticsNo: string; logisticsCode?: string }) =>
      api<ReceiveResult>('/warehouse/receive', { method: 'POST', body: input }),
    onSuccess: (r) =>
      setLog((l) => [
        {
          ok: true,
          no: r.parcel.logisticsNo,
          held: r.held,
          task: r.inspectionTask,
          text: `${r.parcel.logisticsNo} · ${r.repeated ? t('floor.repeated') : t('floor.received')} · ${r.declared ? `${t('floor.declared')} ${r.invtNo ?? ''}` : t('floor.notDeclared')}`,
        },
        ...l.slice(0, 19),
      ]),
    onError: (e, input) =>
      setLog((l) => [
        {
          ok: false,
          error: bilingual(e),
          scanned: input.logisticsNo,
          // several carriers use the number: the server lists them; nothing was received
          candidates: e instanceof ApiError ? e.errors.filter((x) => x.rule === 'choose').map((x) => x.value as Candidate) : [],
        },
        ...l.slice(0, 19),
      ]),
  });
  const last = log[0];
  return (
    <div data-testid="floor-receive">
      <ScanField testId="receive-scan" onScan={(v) => receive.mutate({ logisticsNo: v })} />
      {last ? (
        <Last type={last.ok ? 'success' : last.candidates.length ? 'warning' : 'error'}>
          {last.ok ? (
            <>
              {last.text}
              {' · '}
              <a href={apiUrl(`/warehouse/parcels/${encodeURIComponent(last.no)}/label.pdf`)} target="_blank" rel="noreferrer">
                {t('floor.label')}
              </a>
            </>
          ) : (
            <BiLines text={last.error} />
          )}
        </Last>
      ) : null}
      {last && !last.ok && last.candidates.length ? (
        <Space wrap size="large" className="block-gap" data-testid="choose-carrier">
          {last.candidates.map((c) => (
            <Button
              key={c.logisticsCode}
              size="large"
              style={BIG}
              loading={receive.isPending}
              data-testid={`choose-carrier-${c.logisticsCode}`}
              onClick={() => receive.mutate({ logisticsNo: last.scanned, logisticsCode: c.logisticsCode })}
            >
              {c.logisticsName ?? c.logisticsCode}
              {c.invtNo ? ` · ${c.invtNo}` : ''}
            </Button>
          ))}
        </Space>
      ) : null}
      {last?.ok && last.held ? <InspectionCard no={last.no} task={last.task} both={both} /> : null}
      <ul style={{ fontSize: 18 }} data-testid="receive-log">
        {log.slice(1).map((x, i) => (
          <li key={i}>{x.ok ? x.text : x.error.zh}</li>
        ))}
      </ul>
    </div>
  );
}

function PackTab() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [route, setRoute] = useState('US');
  const [carrier, setCarrier] = useState('3601980012');
  const [bag, setBag] = useState<Bag | null>(null);
  // a refusal (customs, inspection) reads in both languages, Chinese first
  const [last, setLast] = useState<{ ok: boolean; text: Bi } | null>(null);
  const open = useMutation({
    mutationFn: () => api<Bag>('/warehouse/bags', { method: 'POST', body: { route, logisticsCode: carrier } }),
    onSuccess: (b) => {
      setBag(b);
      setLast(null);
    },
    onError: (e) => setLast({ ok: false, text: bilingual(e) }),
  });
  const pack = useMutation({
    mutationFn: (logisticsNo: string) =>
      api<{ bag: Bag; parcel: Parcel }>(`/warehouse/bags/${bag!.id}/pack`, { method: 'POST', body: { logisticsNo } }),
    onSuccess: (r) => {
      setBag(r.bag);
      setLast({ ok: true, text: { zh: `${r.parcel.logisticsNo} · ${t('floor.packed')}`, en: '' } });
    },
    onError: (e) => setLast({ ok: false, text: bilingual(e) }),
  });
  const close = useMutation({
    mutationFn: () => api<Bag>(`/warehouse/bags/${bag!.id}/close`, { method: 'POST' }),
    onSuccess: async () => {
      setBag(null);
      await queryClient.invalidateQueries({ queryKey: ['warehouse', 'bags'] });
    },
    onError: (e) => setLast({ ok: false, text: bilingual(e) }),
  });
  return (
    <div data-testid="floor-pack">
      {!bag ? (
        <Space wrap size="large">
          <Input
            size="large"
            style={{ ...BIG, width: 200 }}
            addonBefore={t('floor.route')}
            value={route}
            onChange={(e) => setRoute(e.target.value)}
            data-testid="bag-route"
          />
          <Input
            size="large"
            style={{ ...BIG, width: 320 }}
            value={carrier}
            onChange={(e) => setCarrier(e.target.value)}
            data-testid="bag-carrier"
          />
          <Button
            type="primary"
            size="large"
            style={BIG}
            onClick={() => open.mutate()}
            loading={open.isPending}
            data-testid="open-bag"
          >
            {t('floor.openBag')}
          </Button>
        </Space>
      ) : (
        <>
          <Typography.Title level={3} data-testid="current-bag">
            {t('floor.bag')}: {bag.bagNo} · {bag.route} · <span data-testid="bag-count">{bag.parcelCount}</span>{' '}
            {t('floor.parcels')}
          </Typography.Title>
          <ScanField testId="pack-scan" onScan={(v) => pack.mutate(v)} />
          <Button size="large" style={{ ...BIG, marginTop: 16 }} onClick={() => close.mutate()} data-testid="close-bag">
            {t('floor.closeBag')}
          </Button>
        </>
      )}
      {last ? (
        <Last type={last.ok ? 'success' : 'error'}>
          <BiLines text={last.text} />
        </Last>
      ) : null}
    </div>
  );
}

/** A parcel a dispatch was refused for: its bag, and why (Chinese first). */
interface Refused {
  logisticsNo: string;
  bagId: string;
  bagNo: string;
  message: Bi;
  out: boolean;
}

function DispatchTab() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string[]>([]);
  const [plate, setPlate] = useState('');
  const [billNo, setBillNo] = useState('');
  const [refused, setRefused] = useState<{ summary: Bi; parcels: Refused[] } | null>(null);
  const bags = useQuery({
    queryKey: ['warehouse', 'bags'],
    queryFn: () => api<Bag[]>('/warehouse/bags', { query: { status: 'closed' } }),
  });
  const dispatches = useQuery({ queryKey: ['warehouse', 'dispatches'], queryFn: () => api<Dispatch[]>('/warehouse/dispatches') });
  const dispatch = useMutation({
    mutationFn: () =>
      api<Dispatch>('/warehouse/dispatches', {
        method: 'POST',
        body: { bagIds: selected, domesticTrafNo: plate, ...(billNo ? { billNo } : {}) },
      }),
    onSuccess: async (d) => {
      if (d.returnStatus === '2') void message.success(t('floor.dispatched'));
      else void message.error(d.returnInfo);
      setSelected([]);
      setRefused(null);
      await queryClient.invalidateQueries({ queryKey: ['warehouse'] });
    },
    onError: (e) => {
      // all or nothing: the parcels customs does not let go are listed, to be taken out of their bags
      const parcels =
        e instanceof ApiError
          ? e.errors
              .filter((x) => x.field === 'logisticsNo' && (x.value as { bagId?: string } | undefined)?.bagId)
              .map((x) => {
                const v = x.value as { logisticsNo: string; bagId: string; bagNo: string };
                return { ...v, message: x.message, out: false };
              })
          : [];
      if (parcels.length) setRefused({ summary: bilingual(e), parcels });
      else void message.error(errorMessage(e, locale));
    },
  });
  const unpack = useMutation({
    mutationFn: (r: Refused) =>
      api<{ bag: Bag; parcel: Parcel }>(`/warehouse/bags/${r.bagId}/unpack`, {
        method: 'POST',
        body: { logisticsNo: r.logisticsNo },
      }),
    onSuccess: async (_, r) => {
      setRefused((x) =>
        x ? { ...x, parcels: x.parcels.map((p) => (p.logisticsNo === r.logisticsNo ? { ...p, out: true } : p)) } : x,
      );
      await queryClient.invalidateQueries({ queryKey: ['warehouse', 'bags'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  return (
    <div data-testid="floor-dispatch">
      <Typography.Title level={4}>{t('floor.bags')}</Typography.Title>
      <Table<Bag>
        rowKey="id"
        size="large"
        pagination={false}
        dataSource={bags.data ?? []}
        loading={bags.isLoading}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) }}
        data-testid="dispatch-bags"
        columns={[
          { title: t('floor.bag'), dataIndex: 'bagNo' },
          { title: t('floor.route'), dataIndex: 'route' },
          { title: t('floor.parcels'), dataIndex: 'parcelCount' },
        ]}
      />
      <Space wrap size="large" className="block-gap">
        <Input
          size="large"
          style={{ ...BIG, width: 260 }}
          placeholder={t('floor.domesticTrafNo')}
          value={plate}
          onChange={(e) => setPlate(e.target.value)}
          data-testid="dispatch-plate"
        />
        <Input
          size="large"
          style={{ ...BIG, width: 300 }}
          placeholder={t('floor.billNo')}
          value={billNo}
          onChange={(e) => setBillNo(e.target.value)}
          data-testid="dispatch-bill"
        />
        <Button
          type="primary"
          size="large"
          style={BIG}
          disabled={!selected.length || !plate}
          loading={dispatch.isPending}
          onClick={() => dispatch.mutate()}
          data-testid="dispatch-now"
        >
          {t('floor.dispatchNow')}
        </Button>
      </Space>
      {refused ? (
        <Alert
          type="error"
          showIcon
          className="block-gap"
          style={{ fontSize: 20 }}
          data-testid="dispatch-refused"
          title={<BiLines text={refused.summary} />}
          description={
            <ul style={{ fontSize: 20, paddingLeft: 20 }}>
              {refused.parcels.map((r) => (
                <li key={r.logisticsNo} data-testid={`refused-${r.logisticsNo}`}>
                  {r.bagNo} · <BiLines text={r.message} />
                  {r.out ? (
                    <Tag color="green">{t('floor.takenOut')}</Tag>
                  ) : (
                    <Button
                      size="large"
                      loading={unpack.isPending}
                      onClick={() => unpack.mutate(r)}
                      data-testid={`unpack-${r.logisticsNo}`}
                    >
                      {t('floor.takeOut')}
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          }
        />
      ) : null}
      <Typography.Title level={4} className="block-gap">
        {t('floor.dispatches')}
      </Typography.Title>
      <Table<Dispatch>
        rowKey="id"
        pagination={false}
        dataSource={dispatches.data ?? []}
        data-testid="dispatch-list"
        columns={[
          { title: 'copNo', dataIndex: 'copNo' },
          { title: t('floor.bag'), key: 'bags', render: (_: unknown, d) => d.bagNos.join(', ') },
          { title: t('floor.parcels'), dataIndex: 'parcelCount' },
          {
            title: t('floor.returnStatus'),
            key: 'rs',
            render: (_: unknown, d) => (
              <Tag color={d.returnStatus === '2' ? 'green' : 'red'}>{`${d.returnStatus} ${d.returnInfo}`}</Tag>
            ),
          },
          { title: '', key: 'at', render: (_: unknown, d) => formatDateTime(d.createdAt, locale) },
        ]}
      />
    </div>
  );
}

/** Sorting and put-away: set the route (or location) once, then scan parcel after parcel. */
function SortTab() {
  const { t } = useTranslation();
  const locale = useLocale();
  const [route, setRoute] = useState('US');
  const [location, setLocation] = useState('');
  const [last, setLast] = useState<{ ok: boolean; text: string } | null>(null);
  const sort = useMutation({
    mutationFn: async (logisticsNo: string) => {
      if (location) await api<Parcel>('/warehouse/put-away', { method: 'POST', body: { logisticsNo, location } });
      return api<Parcel>('/warehouse/sort', { method: 'POST', body: { logisticsNo, route } });
    },
    onSuccess: (p) => setLast({ ok: true, text: `${p.logisticsNo} → ${p.route ?? ''} ${location ? `· ${location}` : ''}` }),
    onError: (e) => setLast({ ok: false, text: errorMessage(e, locale) }),
  });
  return (
    <div data-testid="floor-sort">
      <Space wrap size="large" className="block-gap">
        <Input
          size="large"
          style={{ ...BIG, width: 220 }}
          addonBefore={t('floor.route')}
          value={route}
          onChange={(e) => setRoute(e.target.value)}
        />
        <Input
          size="large"
          style={{ ...BIG, width: 260 }}
          addonBefore={t('floor.location')}
          value={location}
          onChange={(e) => setLocation(e.target.value)}
        />
      </Space>
      <ScanField testId="sort-scan" onScan={(v) => sort.mutate(v)} />
      {last ? <Last type={last.ok ? 'success' : 'error'}>{last.text}</Last> : null}
    </div>
  );
}

interface StockCount {
  id: string;
  scanned: number;
  status: 'open' | 'closed';
  discrepancies: {
    logisticsNo: string;
    kind: 'missing' | 'unexpected' | 'misplaced';
    expectedLocation: string | null;
    scannedLocation: string | null;
  }[];
}

/** Stock count: scan what is on the shelves, close, read the discrepancy list. */
function CountTab() {
  const { t } = useTranslation();
  const locale = useLocale();
  const [count, setCount] = useState<StockCount | null>(null);
  const [location, setLocation] = useState('');
  const [error, setError] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: () => api<StockCount>('/warehouse/counts', { method: 'POST', body: {} }),
    onSuccess: (c) => setCount(c),
    onError: (e) => setError(errorMessage(e, locale)),
  });
  const scanOne = useMutation({
    mutationFn: (logisticsNo: string) =>
      api<{ scanned: number }>(`/warehouse/counts/${count!.id}/scan`, {
        method: 'POST',
        body: { logisticsNo, ...(location ? { location } : {}) },
      }),
    onSuccess: (r) => setCount((c) => (c ? { ...c, scanned: r.scanned } : c)),
    onError: (e) => setError(errorMessage(e, locale)),
  });
  const close = useMutation({
    mutationFn: () => api<StockCount>(`/warehouse/counts/${count!.id}/close`, { method: 'POST' }),
    onSuccess: (c) => setCount(c),
    onError: (e) => setError(errorMessage(e, locale)),
  });
  return (
    <div data-testid="floor-count">
      {!count ? (
        <Button type="primary" size="large" style={BIG} onClick={() => start.mutate()}>
          {t('floor.startCount')}
        </Button>
      ) : count.status === 'open' ? (
        <>
          <Typography.Title level={3}>
            {t('floor.counted')}: {count.scanned}
          </Typography.Title>
          <Input
            size="large"
            style={{ ...BIG, width: 260, marginBottom: 16 }}
            addonBefore={t('floor.location')}
            value={location}
            onChange={(e) => setLocation(e.target.value)}
          />
          <ScanField testId="count-scan" onScan={(v) => scanOne.mutate(v)} />
          <Button size="large" style={{ ...BIG, marginTop: 16 }} onClick={() => close.mutate()}>
            {t('floor.closeCount')}
          </Button>
        </>
      ) : (
        <Table<StockCount['discrepancies'][number]>
          rowKey="logisticsNo"
          pagination={false}
          dataSource={count.discrepancies}
          columns={[
            { title: t('tracking.lookup'), dataIndex: 'logisticsNo' },
            { title: '', key: 'kind', render: (_: unknown, d) => <Tag color="red">{t(`floor.discrepancy.${d.kind}`)}</Tag> },
            {
              title: t('floor.location'),
              key: 'loc',
              render: (_: unknown, d) => `${d.expectedLocation ?? '—'} → ${d.scannedLocation ?? '—'}`,
            },
          ]}
        />
      )}
      {error ? <Last type="error">{error}</Last> : null}
    </div>
  );
}

/** The supervision-centre floor: big type, scan first, one action per tab. */
export default function WarehouseFloorPage() {
  const { t } = useTranslation();
  const [tab, setTab] = useState('receive');
  const key = useRef(0);
  return (
    <Page title={t('floor.title')} testId="floor-title">
      <Card>
        <Tabs
          activeKey={tab}
          size="large"
          onChange={(k) => {
            key.current += 1;
            setTab(k);
          }}
          destroyOnHidden
          items={(
            [
              ['receive', <ReceiveTab />],
              ['sort', <SortTab />],
              ['pack', <PackTab />],
              ['dispatch', <DispatchTab />],
              ['count', <CountTab />],
            ] as const
          ).map(([k, children]) => ({
            key: k,
            label: (
              <span style={{ fontSize: 22 }} data-testid={`tab-${k}`}>
                {t(`floor.${k}`)}
              </span>
            ),
            children,
          }))}
        />
      </Card>
    </Page>
  );
}
