import { useQuery } from '@tanstack/react-query';
import { Drawer, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { LoadError } from '../components/Page.tsx';

/** A declaration line whose sources are shown. */
export interface LineageTarget {
  applicationId: string;
  declarationId: string;
  /** the declaration's number as the page shows it (entryId) */
  declaration: string;
  lineNo: number;
}

interface LineageRow {
  lineNo: number;
  invtNo: string;
  gnum: number;
  logisticsNo: string;
  gcode: string;
}

/** Which inventory lines fed one declaration line (the CEB792 list of that line), first 1000. */
export function SummaryLineageDrawer({ target, onClose }: { target: LineageTarget | null; onClose: () => void }) {
  const { t } = useTranslation();
  const rows = useQuery({
    queryKey: ['summary-lineage', target?.applicationId, target?.declarationId, target?.lineNo],
    enabled: target !== null,
    queryFn: ({ signal }) =>
      api<LineageRow[]>(`/summary/applications/${target!.applicationId}/declarations/${target!.declarationId}/lineage`, {
        signal,
        query: { lineNo: target!.lineNo, limit: 1000 },
      }),
  });
  return (
    <Drawer
      open={target !== null}
      onClose={onClose}
      size={640}
      title={target ? t('sumx.lineageTitle', { decl: target.declaration, line: target.lineNo }) : ''}
      data-testid="summary-lineage-drawer"
    >
      {rows.isError ? (
        <LoadError error={rows.error} onRetry={() => void rows.refetch()} />
      ) : (
        <Table<LineageRow>
          size="small"
          loading={rows.isLoading}
          rowKey={(r) => `${r.invtNo}#${r.gnum}`}
          dataSource={rows.data ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          data-testid="summary-lineage-table"
          columns={[
            { title: t('sumx.invtNo'), dataIndex: 'invtNo' },
            { title: t('sumx.gnum'), dataIndex: 'gnum' },
            { title: t('sumx.logisticsNo'), dataIndex: 'logisticsNo' },
            { title: t('sumx.hs'), dataIndex: 'gcode' },
          ]}
        />
      )}
    </Drawer>
  );
}
