import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Input, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api.ts';
import { bilingual, BiLines, FloorInput, useBoth, useLocations, type Bi, type StockLocation } from './WarehouseFloorParts.tsx';

/** Codes as typed: several at once (space, comma or new line between), upper case, each once. */
function codesOf(typed: string): string[] {
  return [
    ...new Set(
      typed
        .split(/[\s,，、;；]+/)
        .map((c) => c.trim().toUpperCase())
        .filter(Boolean),
    ),
  ];
}

/**
 * The centre's storage locations: register (one code or several, in a zone), change a zone,
 * retire a location that holds no stock, bring a retired one back. Put-away offers only the
 * locations in use.
 */
export function LocationsTab() {
  const { t } = useTranslation();
  const both = useBoth();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [codes, setCodes] = useState('');
  const [zone, setZone] = useState('');
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<{ summary: Bi; problems: Bi[] } | null>(null);
  const fail = (e: unknown) =>
    setError({ summary: bilingual(e), problems: e instanceof ApiError ? e.errors.map((x) => x.message) : [] });
  const locations = useLocations(true);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['warehouse', 'locations'] });
  const save = useMutation({
    mutationFn: (list: string[]) =>
      api('/warehouse/locations', { method: 'PUT', body: list.map((code) => ({ code, zone: zone.trim() })) }),
    onSuccess: async (_, list) => {
      setError(null);
      setCodes('');
      setZone('');
      setEditing(null);
      void message.success(t('floorLocations.saved', { codes: list.join(', ') }));
      await refresh();
    },
    onError: fail,
  });
  const toggle = useMutation({
    mutationFn: (l: StockLocation) =>
      api<StockLocation>(`/warehouse/locations/${encodeURIComponent(l.code)}/${l.active ? 'deactivate' : 'activate'}`, {
        method: 'POST',
      }),
    onSuccess: async () => {
      setError(null);
      await refresh();
    },
    onError: fail,
  });
  const list = codesOf(codes);
  return (
    <div data-testid="floor-locations">
      <Typography.Paragraph type="secondary">{t('floorLocations.hint')}</Typography.Paragraph>
      <Space wrap size="middle" align="start" className="block-gap">
        <Input.TextArea
          autoSize={{ minRows: 1, maxRows: 4 }}
          style={{ width: 360, fontSize: 18 }}
          placeholder={t('floorLocations.codesHint')}
          value={codes}
          disabled={editing !== null}
          onChange={(e) => setCodes(e.target.value.toUpperCase())}
          data-testid="location-codes"
        />
        <FloorInput width={220} label={t('floorLocations.zone')} value={zone} onChange={setZone} testId="location-zone" />
        <Button
          type="primary"
          size="large"
          disabled={!list.length}
          loading={save.isPending}
          onClick={() => save.mutate(list)}
          data-testid="location-save"
        >
          {t(editing ? 'floorLocations.saveZone' : 'floorLocations.register')}
          {!editing && list.length > 1 ? ` (${list.length})` : ''}
        </Button>
        {editing ? (
          <Button
            size="large"
            onClick={() => {
              setEditing(null);
              setCodes('');
              setZone('');
            }}
          >
            {t('common.cancel')}
          </Button>
        ) : null}
      </Space>
      {error ? (
        <Alert
          type="error"
          showIcon
          className="block-gap"
          data-testid="location-error"
          title={<BiLines text={error.summary} />}
          description={
            // a list is refused as a whole: every code at fault, with its rule
            error.problems.length ? (
              <ul style={{ paddingLeft: 20, margin: 0 }}>
                {error.problems.map((x, i) => (
                  <li key={i}>
                    <BiLines text={x} />
                  </li>
                ))}
              </ul>
            ) : null
          }
        />
      ) : null}
      <Table<StockLocation>
        rowKey="code"
        size="middle"
        className="block-gap"
        loading={locations.isLoading}
        dataSource={locations.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        data-testid="location-list"
        onRow={(l) => ({ 'data-testid': `location-row-${l.code}` }) as HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('floor.location'), dataIndex: 'code' },
          { title: t('floorLocations.zone'), dataIndex: 'zone', render: (z: string) => z || '—' },
          {
            title: t('floorLocations.inStock'),
            key: 'parcels',
            render: (_: unknown, l) => <span data-testid={`location-parcels-${l.code}`}>{l.parcels}</span>,
          },
          {
            title: t('floorLocations.status'),
            key: 'active',
            render: (_: unknown, l) => (
              <Tag color={l.active ? 'green' : 'default'} data-testid={`location-status-${l.code}`} data-active={l.active}>
                {t(l.active ? 'floorLocations.active' : 'floorLocations.retired')}
              </Tag>
            ),
          },
          {
            title: t('common.actions'),
            key: 'do',
            render: (_: unknown, l) => {
              // a location holding stock is not retired: its parcels would sit where nobody can put away to
              const blocked = l.active && l.parcels > 0;
              const retire = (
                <Button
                  size="small"
                  danger={l.active}
                  disabled={blocked}
                  loading={toggle.isPending && toggle.variables?.code === l.code}
                  onClick={() => toggle.mutate(l)}
                  data-testid={`location-${l.active ? 'retire' : 'activate'}-${l.code}`}
                >
                  {t(l.active ? 'floorLocations.retire' : 'floorLocations.activate')}
                </Button>
              );
              return (
                <Space>
                  <Button
                    size="small"
                    onClick={() => {
                      setEditing(l.code);
                      setCodes(l.code);
                      setZone(l.zone);
                      setError(null);
                    }}
                    data-testid={`location-edit-${l.code}`}
                  >
                    {t('floorLocations.edit')}
                  </Button>
                  {blocked ? (
                    <Tooltip title={<BiLines text={both('floorLocations.holdsStock', { count: l.parcels })} />}>{retire}</Tooltip>
                  ) : (
                    retire
                  )}
                </Space>
              );
            },
          },
        ]}
      />
    </div>
  );
}
