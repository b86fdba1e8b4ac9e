import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Input, Segmented, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
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
  /** bag: holds parcels; pallet: holds closed bags */
  kind: 'bag' | 'pallet';
  palletId: string | null;
  bagNo: string;
  route: string;
  logisticsCode: string;
  status: 'open' | 'closed' | 'dispatched';
  parcelCount: number;
  bagCount: number;
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
function ScanField({
  onScan,
  testId,
  disabled,
  placeholder,
}: {
  onScan: (v: string) => void;
  testId: string;
  disabled?: boolean;
  placeholder?: string;
}) {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  return (
    <Input
      autoFocus
      size="large"
      style={BIG}
      value={value}
      disabled={disabled}
      placeholder={placeholder ?? t('floor.scanHint')}
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

/**
 * Packing, scan-first: with no bag open, the first parcel scanned opens a bag for its carrier and
 * route (a typed route wins: an unsorted parcel has none), then goes in; a pallet opens from the
 * first closed bag scanned and takes bag after bag. Route and carrier may also be typed to open.
 */
function PackTab() {
  const { t } = useTranslation();
  const both = useBoth();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<Bag['kind']>('bag');
  const [route, setRoute] = useState('');
  const [carrier, setCarrier] = useState('');
  const [bag, setBagState] = useState<Bag | null>(null);
  // scans may come faster than a bag opens: they all wait for the one opening
  const current = useRef<Bag | null>(null);
  const opening = useRef<Promise<Bag> | null>(null);
  const setBag = (b: Bag | null) => {
    current.current = b;
    setBagState(b);
  };
  // a refusal (customs, inspection) reads in both languages, Chinese first
  const [last, setLast] = useState<{ ok: boolean; text: Bi } | null>(null);
  const fail = (e: unknown) => setLast({ ok: false, text: bilingual(e) });
  const typed = () => ({
    kind,
    ...(route.trim() ? { route: route.trim() } : {}),
    ...(carrier.trim() ? { logisticsCode: carrier.trim() } : {}),
  });
  const open = useMutation({
    mutationFn: () => api<Bag>('/warehouse/bags', { method: 'POST', body: typed() }),
    onSuccess: (b) => {
      setBag(b);
      setLast(null);
    },
    onError: fail,
  });
  const scan = useMutation({
    mutationFn: async (value: string): Promise<{ pkg: Bag; text: Bi }> => {
      const pkg =
        current.current ??
        (await (opening.current ??= api<Bag>('/warehouse/bags', {
          method: 'POST',
          body: { ...typed(), ...(kind === 'pallet' ? { bagNo: value } : { logisticsNo: value }) },
        })
          .then((b) => {
            setBag(b);
            return b;
          })
          .finally(() => {
            opening.current = null;
          })));
      if (pkg.kind === 'pallet') {
        const r = await api<{ pallet: Bag; bag: Bag }>(`/warehouse/bags/${pkg.id}/load`, {
          method: 'POST',
          body: { bagNo: value },
        });
        const done = both('floor.loaded');
        return { pkg: r.pallet, text: { zh: `${r.bag.bagNo} · ${done.zh}`, en: `${r.bag.bagNo} · ${done.en}` } };
      }
      const r = await api<{ bag: Bag; parcel: Parcel }>(`/warehouse/bags/${pkg.id}/pack`, {
        method: 'POST',
        body: { logisticsNo: value },
      });
      const done = both('floor.packed');
      return { pkg: r.bag, text: { zh: `${r.parcel.logisticsNo} · ${done.zh}`, en: `${r.parcel.logisticsNo} · ${done.en}` } };
    },
    onSuccess: (r) => {
      setBag(r.pkg);
      setLast({ ok: true, text: r.text });
    },
    onError: fail,
  });
  const close = useMutation({
    mutationFn: () => api<Bag>(`/warehouse/bags/${bag!.id}/close`, { method: 'POST' }),
    onSuccess: async () => {
      setBag(null);
      await queryClient.invalidateQueries({ queryKey: ['warehouse', 'bags'] });
    },
    onError: fail,
  });
  const pallet = bag?.kind === 'pallet';
  return (
    <div data-testid="floor-pack">
      <Segmented
        size="large"
        className="block-gap"
        style={{ fontSize: 22 }}
        value={bag?.kind ?? kind}
        disabled={!!bag}
        onChange={(v) => setKind(v as Bag['kind'])}
        data-testid="pack-kind"
        options={[
          { value: 'bag', label: <span data-testid="pack-kind-bag">{t('floor.kindBag')}</span> },
          { value: 'pallet', label: <span data-testid="pack-kind-pallet">{t('floor.kindPallet')}</span> },
        ]}
      />
      {!bag ? (
        <>
          <Typography.Paragraph style={{ fontSize: 20 }} data-testid="pack-scan-first">
            {t(kind === 'pallet' ? 'floor.scanFirstPallet' : 'floor.scanFirstBag')}
          </Typography.Paragraph>
          <ScanField
            testId="pack-scan"
            placeholder={kind === 'pallet' ? t('floor.scanBagHint') : undefined}
            onScan={(v) => scan.mutate(v)}
          />
          <Space wrap size="large" className="block-gap">
            <Input
              size="large"
              style={{ ...BIG, width: 220 }}
              addonBefore={t('floor.route')}
              value={route}
              onChange={(e) => setRoute(e.target.value)}
              data-testid="bag-route"
            />
            <Input
              size="large"
              style={{ ...BIG, width: 320 }}
              placeholder={t('floor.carrier')}
              value={carrier}
              onChange={(e) => setCarrier(e.target.value)}
              data-testid="bag-carrier"
            />
            <Button
              type="primary"
              size="large"
              style={BIG}
              disabled={!route.trim() || !carrier.trim()}
              onClick={() => open.mutate()}
              loading={open.isPending}
              data-testid="open-bag"
            >
              {t(kind === 'pallet' ? 'floor.openPallet' : 'floor.openBag')}
            </Button>
          </Space>
        </>
      ) : (
        <>
          <Typography.Title level={3} data-testid="current-bag" data-kind={bag.kind}>
            {t(pallet ? 'floor.pallet' : 'floor.bag')}: {bag.bagNo} · {bag.route} ·{' '}
            {pallet ? (
              <>
                <span data-testid="pallet-bag-count">{bag.bagCount}</span> {t('floor.bagsOnPallet')} ·{' '}
              </>
            ) : null}
            <span data-testid="bag-count">{bag.parcelCount}</span> {t('floor.parcels')}
          </Typography.Title>
          <ScanField
            testId="pack-scan"
            placeholder={pallet ? t('floor.scanBagHint') : undefined}
            onScan={(v) => scan.mutate(v)}
          />
          <Button size="large" style={{ ...BIG, marginTop: 16 }} onClick={() => close.mutate()} data-testid="close-bag">
            {t(pallet ? 'floor.closePallet' : 'floor.closeBag')}
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
    // what a dispatch takes: pallets and the bags not on a pallet
    queryFn: () => api<Bag[]>('/warehouse/bags', { query: { status: 'closed', topLevel: 'true' } }),
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
  // dispatches left pending (a crash between intake and the outcome): completed or released
  const repair = useMutation({
    mutationFn: () => api<{ completed: Dispatch[]; released: Dispatch[] }>('/warehouse/dispatches/repair', { method: 'POST' }),
    onSuccess: async (r) => {
      void message.info(t('floor.repaired', { completed: r.completed.length, released: r.released.length }));
      await queryClient.invalidateQueries({ queryKey: ['warehouse'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
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
          {
            title: '',
            key: 'kind',
            render: (_: unknown, b) =>
              b.kind === 'pallet' ? (
                <Tag color="blue">{`${t('floor.kindPallet')} · ${b.bagCount} ${t('floor.bagsOnPallet')}`}</Tag>
              ) : (
                <Tag>{t('floor.kindBag')}</Tag>
              ),
          },
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
      <Space wrap size="large" className="block-gap">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('floor.dispatches')}
        </Typography.Title>
        <Button size="large" loading={repair.isPending} onClick={() => repair.mutate()} data-testid="dispatch-repair">
          {t('floor.repair')}
        </Button>
      </Space>
      <Table<Dispatch>
        rowKey="id"
        pagination={false}
        dataSource={dispatches.data ?? []}
        data-testid="dispatch-list"
        columns={[
          { title: 'copNo', dataIndex: 'copNo' },
          {
            title: t('floor.bag'),
            key: 'bags',
            render: (_: unknown, d) => <span data-testid={`dispatch-bags-${d.copNo}`}>{d.bagNos.join(', ')}</span>,
          },
          { title: t('floor.parcels'), dataIndex: 'parcelCount' },
          {
            title: t('floor.returnStatus'),
            key: 'rs',
            render: (_: unknown, d) => (
              <Tag
                color={d.returnStatus === '2' ? 'green' : 'red'}
                data-testid={`dispatch-status-${d.copNo}`}
                data-status={d.returnStatus}
              >{`${d.returnStatus} ${d.returnInfo}`}</Tag>
            ),
          },
          { title: '', key: 'at', render: (_: unknown, d) => formatDateTime(d.createdAt, locale) },
        ]}
      />
    </div>
  );
}

interface StockLocation {
  code: string;
  zone: string;
  parcels: number;
}

/** Sorting and put-away: set the route (and a registered location) once, then scan parcel after parcel. */
function SortTab() {
  const { t } = useTranslation();
  const [route, setRoute] = useState('');
  const [location, setLocation] = useState<string | undefined>(undefined);
  const [last, setLast] = useState<{ ok: boolean; text: Bi } | null>(null);
  const locations = useQuery({
    queryKey: ['warehouse', 'locations'],
    queryFn: () => api<StockLocation[]>('/warehouse/locations'),
  });
  const queryClient = useQueryClient();
  const sort = useMutation({
    mutationFn: async (logisticsNo: string) => {
      if (location) await api<Parcel>('/warehouse/put-away', { method: 'POST', body: { logisticsNo, location } });
      // put-away alone when only a location is chosen; without either, the server names the route it needs
      return route.trim() || !location ? api<Parcel>('/warehouse/sort', { method: 'POST', body: { logisticsNo, route } }) : null;
    },
    onSuccess: async (p, no) => {
      const text = `${p?.logisticsNo ?? no.toUpperCase()}${p ? ` → ${p.route ?? ''}` : ''}${location ? ` · ${location}` : ''}`;
      setLast({ ok: true, text: { zh: text, en: '' } });
      if (location) await queryClient.invalidateQueries({ queryKey: ['warehouse', 'locations'] });
    },
    onError: (e) => setLast({ ok: false, text: bilingual(e) }),
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
          data-testid="sort-route"
        />
        <Select
          size="large"
          style={{ width: 320, fontSize: 22 }}
          allowClear
          showSearch
          placeholder={t('floor.chooseLocation')}
          value={location}
          onChange={(v?: string) => setLocation(v)}
          loading={locations.isLoading}
          data-testid="sort-location"
          options={(locations.data ?? []).map((l) => ({
            value: l.code,
            label: `${l.code}${l.zone ? ` (${l.zone})` : ''} · ${l.parcels} ${t('floor.inStock')}`,
          }))}
        />
      </Space>
      <ScanField testId="sort-scan" onScan={(v) => sort.mutate(v)} />
      {last ? (
        <Last type={last.ok ? 'success' : 'error'}>
          <BiLines text={last.text} />
        </Last>
      ) : null}
    </div>
  );
}

interface Discrepancy {
  logisticsNo: string;
  kind: 'missing' | 'unexpected' | 'misplaced';
  expectedLocation: string | null;
  scannedLocation: string | null;
}
interface StockCountSummary {
  id: string;
  location: string | null;
  scanned: number;
  status: 'open' | 'closed';
  startedAt: string;
  closedAt: string | null;
  discrepancyCount: number | null;
}
interface StockCount extends Omit<StockCountSummary, 'discrepancyCount'> {
  discrepancies: Discrepancy[];
}

function DiscrepancyTable({ count }: { count: StockCount }) {
  const { t } = useTranslation();
  return (
    <div data-testid="count-discrepancies" data-count-id={count.id}>
      <Typography.Title level={4}>
        {t('floor.discrepancies')} · {count.location ?? t('floor.wholeWarehouse')} · {t('floor.counted')} {count.scanned}
      </Typography.Title>
      {count.discrepancies.length ? (
        <Table<Discrepancy>
          rowKey={(d) => `${d.kind}|${d.logisticsNo}`}
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          dataSource={count.discrepancies}
          columns={[
            { title: t('tracking.lookup'), dataIndex: 'logisticsNo' },
            {
              title: '',
              key: 'kind',
              render: (_: unknown, d) => (
                <Tag color="red" data-testid={`discrepancy-${d.logisticsNo}`} data-kind={d.kind}>
                  {t(`floor.discrepancy.${d.kind}`)}
                </Tag>
              ),
            },
            {
              title: t('floor.location'),
              key: 'loc',
              render: (_: unknown, d) => `${d.expectedLocation ?? '—'} → ${d.scannedLocation ?? '—'}`,
            },
          ]}
        />
      ) : (
        <Alert type="success" showIcon title={t('floor.noDiscrepancy')} />
      )}
    </div>
  );
}

/**
 * Stock count: scan what is on the shelves, close, read the discrepancy list. An open count is
 * resumed from the server (a tab change or a reload loses nothing); closed counts are read back.
 */
function CountTab() {
  const { t } = useTranslation();
  const locale = useLocale();
  const queryClient = useQueryClient();
  const [viewing, setViewing] = useState<string | null>(null);
  const [scanLocation, setScanLocation] = useState<string | undefined>(undefined);
  const [countLocation, setCountLocation] = useState<string | undefined>(undefined);
  const [error, setError] = useState<Bi | null>(null);
  const fail = (e: unknown) => setError(bilingual(e));
  const counts = useQuery({
    queryKey: ['warehouse', 'counts'],
    queryFn: () => api<StockCountSummary[]>('/warehouse/counts'),
  });
  const locations = useQuery({
    queryKey: ['warehouse', 'locations'],
    queryFn: () => api<StockLocation[]>('/warehouse/locations'),
  });
  const open = counts.data?.find((c) => c.status === 'open') ?? null;
  const viewed = useQuery({
    queryKey: ['warehouse', 'counts', viewing],
    queryFn: () => api<StockCount>(`/warehouse/counts/${viewing!}`),
    enabled: !!viewing,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['warehouse', 'counts'] });
  const start = useMutation({
    mutationFn: () =>
      api<StockCount>('/warehouse/counts', { method: 'POST', body: countLocation ? { location: countLocation } : {} }),
    onSuccess: async () => {
      setError(null);
      setViewing(null);
      await refresh();
    },
    onError: fail,
  });
  const scanOne = useMutation({
    mutationFn: (logisticsNo: string) =>
      api<{ scanned: number }>(`/warehouse/counts/${open!.id}/scan`, {
        method: 'POST',
        body: { logisticsNo, ...(scanLocation ? { location: scanLocation } : {}) },
      }),
    onSuccess: (r) => {
      setError(null);
      queryClient.setQueryData<StockCountSummary[]>(['warehouse', 'counts'], (cs) =>
        cs?.map((c) => (c.id === open?.id ? { ...c, scanned: r.scanned } : c)),
      );
    },
    onError: fail,
  });
  const close = useMutation({
    mutationFn: () => api<StockCount>(`/warehouse/counts/${open!.id}/close`, { method: 'POST' }),
    onSuccess: async (c) => {
      setError(null);
      queryClient.setQueryData(['warehouse', 'counts', c.id], c);
      setViewing(c.id);
      await refresh();
    },
    onError: fail,
  });
  const locationOptions = (locations.data ?? []).map((l) => ({ value: l.code, label: l.code }));
  return (
    <div data-testid="floor-count">
      {open ? (
        <div data-testid="count-open" data-count-id={open.id}>
          <Typography.Title level={3}>
            {open.location ?? t('floor.wholeWarehouse')} · {t('floor.counted')}:{' '}
            <span data-testid="count-scanned">{open.scanned}</span>
          </Typography.Title>
          <Select
            size="large"
            style={{ width: 320, marginBottom: 16 }}
            allowClear
            showSearch
            placeholder={t('floor.chooseLocation')}
            value={scanLocation}
            onChange={(v?: string) => setScanLocation(v)}
            options={locationOptions}
            data-testid="count-location"
          />
          <ScanField testId="count-scan" onScan={(v) => scanOne.mutate(v)} />
          <Button
            size="large"
            style={{ ...BIG, marginTop: 16 }}
            loading={close.isPending}
            onClick={() => close.mutate()}
            data-testid="count-close"
          >
            {t('floor.closeCount')}
          </Button>
        </div>
      ) : (
        <Space wrap size="large">
          <Select
            size="large"
            style={{ width: 320 }}
            allowClear
            showSearch
            placeholder={t('floor.wholeWarehouse')}
            value={countLocation}
            onChange={(v?: string) => setCountLocation(v)}
            options={locationOptions}
            data-testid="count-start-location"
          />
          <Button
            type="primary"
            size="large"
            style={BIG}
            loading={start.isPending}
            disabled={counts.isLoading}
            onClick={() => start.mutate()}
            data-testid="count-start"
          >
            {t('floor.startCount')}
          </Button>
        </Space>
      )}
      {error ? (
        <Last type="error">
          <BiLines text={error} />
        </Last>
      ) : null}
      {viewed.data ? <DiscrepancyTable count={viewed.data} /> : null}
      <Typography.Title level={4} className="block-gap">
        {t('floor.countHistory')}
      </Typography.Title>
      <Table<StockCountSummary>
        rowKey="id"
        size="small"
        pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
        dataSource={counts.data ?? []}
        loading={counts.isLoading}
        data-testid="count-list"
        columns={[
          { title: '', key: 'at', render: (_: unknown, c) => formatDateTime(c.startedAt, locale) },
          { title: t('floor.location'), key: 'loc', render: (_: unknown, c) => c.location ?? t('floor.wholeWarehouse') },
          { title: t('floor.counted'), dataIndex: 'scanned' },
          {
            title: t('floor.discrepancies'),
            key: 'd',
            render: (_: unknown, c) =>
              c.status === 'open' ? (
                <Tag color="blue">{t('floor.countOpen')}</Tag>
              ) : (
                <Button size="small" onClick={() => setViewing(c.id)} data-testid={`count-view-${c.id}`}>
                  {t('floor.view')} ({c.discrepancyCount ?? 0})
                </Button>
              ),
          },
        ]}
      />
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
