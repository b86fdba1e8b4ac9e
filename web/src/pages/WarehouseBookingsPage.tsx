import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, DatePicker, Form, Input, Select, Table, Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiUrl, errorMessage } from '../api.ts';
import { LoadError, Page } from '../components/Page.tsx';
import { formatDateTime } from '../format.ts';
import { useLocale } from '../i18n/index.ts';

/** What the date picker gives back (a dayjs value); only its formatting is used. */
interface PickedDate {
  format(pattern: string): string;
}

interface Booking {
  id: string;
  bookingNo: string;
  logisticsCode: string;
  expectedAt: string;
  parcels: { logisticsNo: string; status: string }[];
  createdAt: string;
}

/** One filed enterprise as GET /organisations/directory publishes it. */
interface DirectoryEntry {
  code: string;
  name: string;
  nameEn?: string;
  roles: string[];
}

/**
 * A supervision centre or carrier picked from the directory of filed enterprises, searched on the
 * server by name or code (Chinese name first, code shown); `preferred` codes come first.
 */
function PartySelect(props: {
  role: 'warehouse' | 'logistics';
  testId: string;
  preferred?: readonly string[];
  value?: string;
  onChange?: (code: string) => void;
}) {
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [chosen, setChosen] = useState<DirectoryEntry | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);
  const found = useQuery({
    queryKey: ['organisations', 'directory', props.role, q],
    queryFn: () => api<{ items: DirectoryEntry[] }>('/organisations/directory', { query: { role: props.role, q } }),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
  const items = found.data?.items ?? [];
  const preferred = new Set(props.preferred ?? []);
  const entries = [
    ...(chosen && chosen.code === props.value && !items.some((e) => e.code === chosen.code) ? [chosen] : []),
    ...items.filter((e) => preferred.has(e.code)),
    ...items.filter((e) => !preferred.has(e.code)),
  ];
  return (
    <Select<string>
      style={{ width: 300 }}
      data-testid={props.testId}
      value={props.value}
      loading={found.isFetching}
      showSearch={{ filterOption: false, onSearch: setSearch, searchValue: search }}
      onChange={(code) => {
        setChosen(entries.find((e) => e.code === code) ?? null);
        setSearch('');
        props.onChange?.(code);
      }}
      options={entries.map((e) => ({ value: e.code, label: `${e.name} · ${e.code}`, title: e.nameEn ?? e.name }))}
    />
  );
}

/** The seller books parcels into the supervision centre and prints their labels. */
export default function WarehouseBookingsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ warehouseCode: string; logisticsCode: string; expectedAt: PickedDate; numbers: string }>();
  const bookings = useQuery({ queryKey: ['warehouse', 'bookings'], queryFn: () => api<Booking[]>('/warehouse/bookings') });
  const create = useMutation({
    mutationFn: (v: { warehouseCode: string; logisticsCode: string; expectedAt: PickedDate; numbers: string }) =>
      api<Booking>('/warehouse/bookings', {
        method: 'POST',
        body: {
          warehouseCode: v.warehouseCode.trim(),
          logisticsCode: v.logisticsCode.trim(),
          expectedAt: v.expectedAt.format('YYYY-MM-DD'),
          logisticsNos: v.numbers.split(/[\s,，]+/).filter(Boolean),
        },
      }),
    onSuccess: async (b) => {
      void message.success(b.bookingNo);
      form.resetFields(['numbers']);
      await queryClient.invalidateQueries({ queryKey: ['warehouse', 'bookings'] });
    },
    onError: (e) => void message.error(errorMessage(e, locale)),
  });
  return (
    <Page title={t('bookings.title')} testId="bookings-title">
      <Card>
        {/* Centres and carriers come from the directory of filed enterprises (code, name, roles); carriers the
            seller booked with before come first; no demo defaults. */}
        <Form form={form} layout="inline" onFinish={(v) => create.mutate(v)}>
          <Form.Item
            name="warehouseCode"
            label={t('bookings.warehouse')}
            tooltip={t('bookingsCodes.warehouseHint')}
            rules={[{ required: true, whitespace: true, max: 18 }]}
          >
            <PartySelect role="warehouse" testId="booking-warehouse" />
          </Form.Item>
          <Form.Item
            name="logisticsCode"
            label={t('bookings.carrier')}
            tooltip={t('bookingsCodes.carrierHint')}
            rules={[{ required: true, whitespace: true, max: 18 }]}
          >
            <PartySelect
              role="logistics"
              testId="booking-carrier"
              preferred={[...new Set((bookings.data ?? []).map((b) => b.logisticsCode))]}
            />
          </Form.Item>
          <Form.Item name="expectedAt" label={t('bookings.expectedAt')} rules={[{ required: true }]}>
            <DatePicker data-testid="booking-expected-at" />
          </Form.Item>
          <Form.Item name="numbers" label={t('bookings.numbers')} rules={[{ required: true }]}>
            <Input.TextArea rows={2} style={{ width: 320 }} data-testid="booking-numbers" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending} data-testid="booking-submit">
            {t('bookings.create')}
          </Button>
        </Form>
      </Card>
      {bookings.error ? <LoadError error={bookings.error} onRetry={() => void bookings.refetch()} /> : null}
      <Table<Booking>
        className="block-gap"
        rowKey="id"
        loading={bookings.isLoading}
        dataSource={bookings.data ?? []}
        data-testid="bookings-table"
        columns={[
          { title: t('bookings.bookingNo'), dataIndex: 'bookingNo' },
          { title: t('bookings.expectedAt'), dataIndex: 'expectedAt' },
          {
            title: t('bookings.numbers'),
            key: 'parcels',
            render: (_: unknown, b) =>
              b.parcels.map((p) => (
                <Tag
                  key={p.logisticsNo}
                  color={p.status === 'expected' ? 'default' : 'green'}
                  data-testid={`booking-parcel-${p.logisticsNo}`}
                  data-status={p.status}
                >
                  {p.logisticsNo} · {t(`bookings.status.${p.status as 'expected'}`)} ·{' '}
                  <a
                    href={apiUrl(`/warehouse/parcels/${encodeURIComponent(p.logisticsNo)}/label.pdf`)}
                    target="_blank"
                    rel="noreferrer"
                    data-testid={`booking-label-${p.logisticsNo}`}
                  >
                    {t('floor.label')}
                  </a>
                </Tag>
              )),
          },
          { title: '', key: 'at', render: (_: unknown, b) => formatDateTime(b.createdAt, locale) },
        ]}
      />
    </Page>
  );
}
