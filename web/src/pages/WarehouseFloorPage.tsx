import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Segmented, Space, Table, Tabs, Tag, Typography, type InputRef } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, apiUrl, errorMessage } from '../api.ts';
import { Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';
import {
  BIG,
  bilingual,
  BiLines,
  FloorInput,
  Last,
  LocationSelect,
  MainButton,
  OutcomeLine,
  ScanField,
  useBoth,
  type Bi,
  type Outcome,
} from './WarehouseFloorParts.tsx';
import { LocationsTab } from './WarehouseLocations.tsx';

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

/**
 * The inspection hold as floor staff need it: the parcel stays at the inspection station, which
 * task it waits for and for which agencies. Read-only: the task itself is the officers' (they open
 * it by the waybill number at the station); the floor has no right to it.
 */
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
          <div style={{ fontWeight: 600 }} data-testid="inspection-bring-to">
            <BiLines text={both('floorInspection.bringTo')} />
          </div>
          {task ? (
            <div data-testid="inspection-task" data-task-id={task.id}>
              {t('floorInspection.task')} <strong data-testid="inspection-task-no">{task.id.slice(-8).toUpperCase()}</strong>
              {' · '}
              {t('floorInspection.waybill')} <strong>{no}</strong>
              {' · '}
              {task.joint ? `${t('floorInspection.joint')} · ` : ''}
              {task.agencies.map(agency).join(' + ')}
              {task.pending.length ? ` · ${t('floorInspection.pending')}: ${task.pending.map(agency).join(' + ')}` : ''}
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
  const [last, setLast] = useState<Outcome>(null);
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
        <Typography.Paragraph style={{ fontSize: 20 }} data-testid="pack-scan-first">
          {t(kind === 'pallet' ? 'floor.scanFirstPallet' : 'floor.scanFirstBag')}
        </Typography.Paragraph>
      ) : (
        <Typography.Title level={3} data-testid="current-bag" data-kind={bag.kind}>
          {t(pallet ? 'floor.pallet' : 'floor.bag')}: {bag.bagNo} · {bag.route} ·{' '}
          {pallet ? (
            <>
              <span data-testid="pallet-bag-count">{bag.bagCount}</span> {t('floor.bagsOnPallet')} ·{' '}
            </>
          ) : null}
          <span data-testid="bag-count">{bag.parcelCount}</span> {t('floor.parcels')}
        </Typography.Title>
      )}
      <ScanField
        // a new field when a bag opens or closes: it takes the focus back from the open/close button
        key={bag ? 'open' : 'none'}
        testId="pack-scan"
        placeholder={(bag?.kind ?? kind) === 'pallet' ? t('floor.scanBagHint') : undefined}
        onScan={(v) => scan.mutate(v)}
      />
      {!bag ? (
        <Space wrap size="large" className="block-gap">
          <FloorInput big width={220} label={t('floor.route')} value={route} onChange={setRoute} testId="bag-route" />
          <FloorInput
            big
            width={320}
            placeholder={t('floor.carrier')}
            value={carrier}
            onChange={setCarrier}
            testId="bag-carrier"
          />
          <MainButton
            disabled={!route.trim() || !carrier.trim()}
            onClick={() => open.mutate()}
            loading={open.isPending}
            testId="open-bag"
          >
            {t(kind === 'pallet' ? 'floor.openPallet' : 'floor.openBag')}
          </MainButton>
        </Space>
      ) : (
        <Button size="large" style={{ ...BIG, marginTop: 16 }} onClick={() => close.mutate()} data-testid="close-bag">
          {t(pallet ? 'floor.closePallet' : 'floor.closeBag')}
        </Button>
      )}
      <OutcomeLine outcome={last} />
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
        <FloorInput
          big
          width={260}
          placeholder={t('floor.domesticTrafNo')}
          value={plate}
          onChange={setPlate}
          testId="dispatch-plate"
        />
        <FloorInput big width={300} placeholder={t('floor.billNo')} value={billNo} onChange={setBillNo} testId="dispatch-bill" />
        <MainButton
          disabled={!selected.length || !plate}
          loading={dispatch.isPending}
          onClick={() => dispatch.mutate()}
          testId="dispatch-now"
        >
          {t('floor.dispatchNow')}
        </MainButton>
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

/**
 * Put-away, scan-first: choose the location once (only the ones in use), then scan parcel after
 * parcel; each scan is one put-away and nothing else.
 */
function PutAwayTab() {
  const { t } = useTranslation();
  const both = useBoth();
  const queryClient = useQueryClient();
  const [location, setLocation] = useState<string | undefined>(undefined);
  const [last, setLast] = useState<Outcome>(null);
  const scanField = useRef<InputRef>(null);
  const putAway = useMutation({
    mutationFn: (v: { logisticsNo: string; location: string }) =>
      api<Parcel & { location: string }>('/warehouse/put-away', { method: 'POST', body: v }),
    onSuccess: async (p) => {
      const done = both('floor.putAwayDone', { location: p.location });
      setLast({ ok: true, text: { zh: `${p.logisticsNo} · ${done.zh}`, en: `${p.logisticsNo} · ${done.en}` } });
      await queryClient.invalidateQueries({ queryKey: ['warehouse', 'locations'] });
    },
    onError: (e) => setLast({ ok: false, text: bilingual(e) }),
  });
  return (
    <div data-testid="floor-putaway">
      <Space wrap size="large" className="block-gap">
        <LocationSelect
          big
          withStock
          testId="putaway-location"
          placeholder={t('floor.putAwayLocation')}
          value={location}
          onChange={(v) => {
            setLocation(v);
            scanField.current?.focus();
          }}
        />
      </Space>
      <ScanField
        ref={scanField}
        testId="putaway-scan"
        onScan={(no) =>
          location
            ? putAway.mutate({ logisticsNo: no, location })
            : setLast({ ok: false, text: both('floor.chooseLocationFirst') })
        }
      />
      <OutcomeLine outcome={last} />
    </div>
  );
}

/** Sorting, scan-first: type the route (or flight) once, then scan parcel after parcel. */
function SortTab() {
  const { t } = useTranslation();
  const both = useBoth();
  const [route, setRoute] = useState('');
  const [last, setLast] = useState<Outcome>(null);
  const sort = useMutation({
    mutationFn: (v: { logisticsNo: string; route: string }) => api<Parcel>('/warehouse/sort', { method: 'POST', body: v }),
    onSuccess: (p) => {
      const done = both('floor.sortedTo', { route: p.route ?? '' });
      setLast({ ok: true, text: { zh: `${p.logisticsNo} · ${done.zh}`, en: `${p.logisticsNo} · ${done.en}` } });
    },
    onError: (e) => setLast({ ok: false, text: bilingual(e) }),
  });
  return (
    <div data-testid="floor-sort">
      <Space wrap size="large" className="block-gap">
        <FloorInput big width={220} label={t('floor.route')} value={route} onChange={setRoute} testId="sort-route" />
      </Space>
      <ScanField
        testId="sort-scan"
        onScan={(no) =>
          route.trim()
            ? sort.mutate({ logisticsNo: no, route: route.trim() })
            : setLast({ ok: false, text: both('floor.typeRouteFirst') })
        }
      />
      <OutcomeLine outcome={last} />
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
  return (
    <div data-testid="floor-count">
      {open ? (
        <div data-testid="count-open" data-count-id={open.id}>
          <Typography.Title level={3}>
            {open.location ?? t('floor.wholeWarehouse')} · {t('floor.counted')}:{' '}
            <span data-testid="count-scanned">{open.scanned}</span>
          </Typography.Title>
          <div style={{ marginBottom: 16 }}>
            <LocationSelect
              testId="count-location"
              placeholder={t('floor.chooseLocation')}
              value={scanLocation}
              onChange={setScanLocation}
            />
          </div>
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
          <LocationSelect
            testId="count-start-location"
            placeholder={t('floor.wholeWarehouse')}
            value={countLocation}
            onChange={setCountLocation}
          />
          <MainButton loading={start.isPending} disabled={counts.isLoading} onClick={() => start.mutate()} testId="count-start">
            {t('floor.startCount')}
          </MainButton>
        </Space>
      )}
      <OutcomeLine outcome={error && { ok: false, text: error }} />
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
              ['putAway', <PutAwayTab />],
              ['sort', <SortTab />],
              ['pack', <PackTab />],
              ['dispatch', <DispatchTab />],
              ['count', <CountTab />],
              ['locations', <LocationsTab />],
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
