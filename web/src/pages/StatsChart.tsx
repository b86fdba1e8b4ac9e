import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';

/**
 * A tiny ECharts wrapper (echarts-for-react's ESM build needs tslib, which the web build does
 * not carry): one chart per element, option replaced on change, resized with its box.
 */
export function StatsChart({ option, height = 320 }: { option: echarts.EChartsCoreOption; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
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
    // aria: ECharts describes the chart and its data in the container's aria-label, for screen
    // readers (and for the browser test, which reads back what the chart shows).
    chart.current?.setOption({ aria: { enabled: true }, ...option }, { notMerge: true });
  }, [option]);
  return <div ref={ref} style={{ height, width: '100%' }} data-testid="stats-chart" />;
}
