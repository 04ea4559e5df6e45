'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { hasEnded } from '../formatting/job-state.ts';
import { EPOCH_ACCURACY_SERIES, EPOCH_LOSS_SERIES, JobSeries } from '../live/job-series.ts';
import type { EventView, JobView, UpdateView, WorkerThroughputView } from '../live/job-view.ts';
import { EventLog } from './event-log.tsx';
import { JobProgress } from './job-progress.tsx';
import { MetricChart } from './metric-chart.tsx';
import { WorkerThroughput } from './worker-throughput.tsx';

interface LiveState {
  job: JobView;
  series: JobSeries;
  events: EventView[];
  workers: WorkerThroughputView[];
  streamError?: string;
}

/**
 * The live part of the job page: one EventSource on /api/jobs/<id>/updates feeds charts, progress, per-worker
 * throughput and the event log. Updates are applied at most once per animation frame, so a 10,000-point replay
 * renders once and a live step reaches the chart in the next frame.
 */
export function JobLive({ initialJob }: { initialJob: JobView }) {
  const router = useRouter();
  const live = useRef<LiveState>({ job: initialJob, series: new JobSeries(), events: [], workers: [] });
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const state = live.current;
    let frame = 0;
    const redraw = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion((v) => v + 1);
      });
    };
    const source = new EventSource(`/api/jobs/${encodeURIComponent(initialJob.id)}/updates`);
    source.addEventListener('reset', () => {
      state.series = new JobSeries();
      state.events = [];
      redraw();
    });
    source.addEventListener('updates', (message) => {
      let refresh = false;
      for (const update of JSON.parse((message as MessageEvent<string>).data) as UpdateView[]) {
        if ('job' in update) {
          refresh ||= update.job.state !== state.job.state;
          state.job = update.job;
        } else if ('event' in update) {
          state.events.push(update.event);
          refresh ||= update.event.kind === 'checkpoint';
        } else {
          state.series.add(update.metric);
        }
      }
      redraw();
      // Server-rendered parts (checkpoints, the cancel button) follow state changes and new checkpoints.
      if (refresh) router.refresh();
    });
    source.addEventListener('workers', (message) => {
      state.workers = JSON.parse((message as MessageEvent<string>).data) as WorkerThroughputView[];
      redraw();
    });
    source.addEventListener('end', () => {
      source.close();
      router.refresh();
    });
    source.addEventListener('failure', (message) => {
      state.streamError = (JSON.parse((message as MessageEvent<string>).data) as { message: string }).message;
      source.close();
      redraw();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED && !hasEnded(state.job.state)) {
        state.streamError = 'The live connection closed; reload the page to reconnect.';
        redraw();
      }
    };
    return () => {
      source.close();
      cancelAnimationFrame(frame);
    };
  }, [initialJob.id, router]);

  const { job, series, events, workers, streamError } = live.current;
  return (
    <>
      {streamError && (
        <p className="error" role="alert">
          {streamError}
        </p>
      )}
      <JobProgress job={job} testAccuracy={job.latestMetrics['test/accuracy'] ?? series.latest('test/accuracy')} />
      <h2>Metrics</h2>
      <div className="charts">
        <MetricChart id="chart-step-loss" title="Training loss per step" xLabel="step" series={[{ label: 'train loss', color: '#1f4fbf' }]} columns={series.stepColumns()} version={version} />
        <MetricChart
          id="chart-epoch-loss"
          title="Loss per epoch"
          xLabel="epoch"
          series={[{ label: 'train loss', color: '#1f4fbf' }, { label: 'test loss', color: '#b3261e', dash: [6, 4] }]}
          columns={series.epochColumns(EPOCH_LOSS_SERIES)}
          version={version}
        />
        <MetricChart
          id="chart-epoch-accuracy"
          title="Accuracy per epoch"
          xLabel="epoch"
          series={[{ label: 'train accuracy', color: '#1f4fbf' }, { label: 'test accuracy', color: '#b3261e', dash: [6, 4] }]}
          columns={series.epochColumns(EPOCH_ACCURACY_SERIES)}
          version={version}
        />
      </div>
      <h2>Throughput per worker</h2>
      <WorkerThroughput workers={workers} />
      <h2>Events</h2>
      <EventLog events={events} />
    </>
  );
}
