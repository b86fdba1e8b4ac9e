import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, AutoComplete, Button, Card, DatePicker, Form, Input, Table, Tag } from 'antd';
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
        {/* No directory of centres and carriers is open to sellers (GET /organisations is for officers): the
            codes are typed, the carrier's offered from the seller's earlier bookings; no demo defaults. */}
        <Form form={form} layout="inline" onFinish={(v) => create.mutate(v)}>
          <Form.Item
            name="warehouseCode"
            label={t('bookings.warehouse')}
            tooltip={t('bookingsCodes.warehouseHint')}
            rules={[{ required: true, whitespace: true, max: 18 }]}
          >
            <Input style={{ width: 140 }} data-testid="booking-warehouse" />
          </Form.Item>
          <Form.Item
            name="logisticsCode"
            label={t('bookings.carrier')}
            tooltip={t('bookingsCodes.carrierHint')}
            rules={[{ required: true, whitespace: true, max: 18 }]}
          >
            <AutoComplete
              style={{ width: 160 }}
              options={[...new Set((bookings.data ?? []).map((b) => b.logisticsCode))].map((c) => ({ value: c }))}
              filterOption={(input, o) => (o?.value ?? '').toString().startsWith(input.trim())}
              data-testid="booking-carrier"
            />
          </Form.Item>
          <Form.Item name="expectedAt" label={t('bookings.expectedAt')} rules={[{ required: true }]}>
            <DatePicker />
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
                <Tag key={p.logisticsNo} color={p.status === 'expected' ? 'default' : 'green'}>
                  {p.logisticsNo} · {t(`bookings.status.${p.status as 'expected'}`)} ·{' '}
                  <a
                    href={apiUrl(`/warehouse/parcels/${encodeURIComponent(p.logisticsNo)}/label.pdf`)}
                    target="_blank"
                    rel="noreferrer"
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
