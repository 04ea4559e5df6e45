'use client';

import { estimateRemainingMs, formatDuration } from '../formatting/durations.ts';
import { hasEnded, stateLabel } from '../formatting/job-state.ts';
import type { JobView } from '../live/job-view.ts';

/** State, step and epoch progress, and the time left at the rate since the job started. */
export function JobProgress({ job, testAccuracy }: { job: JobView; testAccuracy: number | undefined }) {
  const started = Date.parse(job.startedAt);
  const eta = !hasEnded(job.state) && !Number.isNaN(started) ? estimateRemainingMs(job.step, job.totalSteps, Date.now() - started) : undefined;
  return (
    <dl className="facts" id="job-progress" data-state={stateLabel(job.state)} data-step={job.step}>
      <dt>State</dt>
      <dd className={`state state-${stateLabel(job.state)}`} id="job-state">
        {stateLabel(job.state)}
        {job.reason && <span className="muted"> — {job.reason}</span>}
      </dd>
      <dt>Progress</dt>
      <dd>
        <progress max={Math.max(1, job.totalSteps)} value={job.step} aria-label="Steps done" /> step {job.step} of {job.totalSteps || '?'}, epoch {job.epoch} of{' '}
        {job.totalEpochs || '?'}
      </dd>
      <dt>Time left</dt>
      <dd>{eta === undefined ? '—' : `about ${formatDuration(eta)}`}</dd>
      <dt>Test accuracy</dt>
      <dd>{testAccuracy === undefined ? '—' : `${(100 * testAccuracy).toFixed(1)}%`}</dd>
    </dl>
  );
}
