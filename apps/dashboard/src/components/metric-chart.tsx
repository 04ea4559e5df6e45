'use client';

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartColumns } from '../live/job-series.ts';

export interface ChartSeries {
  label: string;
  color: string;
  dash?: number[];
}

/**
 * One uPlot line chart. uPlot draws 10,000 points on a canvas in a few milliseconds, where an SVG chart would build
 * 10,000 DOM nodes; React only hands it new columns (`version` changes when they grow). `data-points` carries the
 * number of x values drawn, and the caption states it, for people using screen readers and for the tests.
 */
export function MetricChart({ id, title, xLabel, series, columns, version }: { id: string; title: string; xLabel: string; series: ChartSeries[]; columns: ChartColumns; version: number }) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const width = () => Math.max(300, el.clientWidth);
    const chart = new uPlot(
      {
        width: width(),
        height: 240,
        scales: { x: { time: false } },
        axes: [{ label: xLabel, stroke: '#1a1d23' }, { stroke: '#1a1d23' }],
        legend: { live: false },
        series: [{ label: xLabel }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, ...(s.dash ? { dash: s.dash } : {}), spanGaps: true }))],
      },
      columns,
      el,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: width(), height: 240 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Built once per mount on purpose: new data goes through setData below, which keeps zoom and costs less.
  }, []);

  useEffect(() => {
    plot.current?.setData(columns);
  }, [columns, version]);

  const points = columns[0].length;
  return (
    <figure className="chart" id={id} data-points={points}>
      <figcaption>
        {title} <span className="muted">({points} point{points === 1 ? '' : 's'})</span>
      </figcaption>
      <div ref={holder} />
    </figure>
  );
}
