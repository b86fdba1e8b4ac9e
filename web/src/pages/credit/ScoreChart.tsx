import * as echarts from 'echarts';
import { useEffect, useMemo, useRef } from 'react';
import type { RatingEntry } from './types.ts';

/**
 * An enterprise's score over time (ECharts line, oldest first), the level at each point in the
 * tooltip. ECharts aria describes the data in the container's aria-label (screen readers, tests).
 */
export function ScoreChart({ history, label, height = 220 }: { history: RatingEntry[]; label: string; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const option = useMemo(() => {
    const points = [...history].sort((a, b) => a.computedAt.localeCompare(b.computedAt));
    return {
      aria: { enabled: true },
      tooltip: { trigger: 'axis' },
      grid: { left: 40, right: 20, top: 20, bottom: 40 },
      xAxis: { type: 'category', data: points.map((p) => p.computedAt.slice(0, 16).replace('T', ' ')) },
      yAxis: { type: 'value', min: 0, max: 100 },
      series: [
        {
          type: 'line',
          name: label,
          data: points.map((p) => ({ value: p.score, name: p.level })),
          label: { show: true, formatter: (p: { data: { name: string } }) => p.data.name },
        },
      ],
    };
  }, [history, label]);
  useEffect(() => {
    if (!ref.current) return;
    const c = echarts.init(ref.current);
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(ref.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);
  return <div ref={ref} style={{ height, width: '100%' }} data-testid="credit-history-chart" data-points={history.length} />;
}
