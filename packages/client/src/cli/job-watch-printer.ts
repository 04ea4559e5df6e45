import type { Job, JobUpdate } from '../tessera-client.ts';
import { ProgressBar } from './progress-bar.ts';

const shortState = (state: string) => state.replace(/^JOB_STATE_/, '');

/**
 * Renders a job's watch stream for a person: events as log lines, training progress as a bar, per-epoch metrics
 * folded into the bar's detail.
 */
export class JobWatchPrinter {
  private readonly bar: ProgressBar;
  private readonly latest = new Map<string, number>();
  private job: Job | undefined;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {
    this.bar = new ProgressBar('training', out);
  }

  handle(update: JobUpdate): void {
    if (update.event) {
      this.bar.finish();
      this.out.write(`  ${update.event.at.slice(11, 19)} ${update.event.kind.padEnd(13)} ${update.event.message}\n`);
    }
    if (update.metric) this.latest.set(`${update.metric.split}/${update.metric.name}`, update.metric.value);
    if (update.job) this.job = update.job;
    const job = this.job;
    if (job && Number(job.totalSteps) > 0 && shortState(job.state) === 'RUNNING') {
      const parts = [`epoch ${job.epoch}/${job.totalEpochs}`, `step ${job.step}/${job.totalSteps}`];
      const loss = this.latest.get('train/loss');
      const acc = this.latest.get('test/accuracy');
      if (loss !== undefined) parts.push(`loss ${loss.toFixed(4)}`);
      if (acc !== undefined) parts.push(`test acc ${(acc * 100).toFixed(1)}%`);
      this.bar.update(Number(job.step), Number(job.totalSteps), parts.join(' '));
    }
  }

  done(): void {
    this.bar.finish();
  }
}

export function describeJob(job: Job): string {
  const metrics = Object.entries(job.latestMetrics ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `    ${k.padEnd(22)} ${k.endsWith('accuracy') ? `${(v * 100).toFixed(2)}%` : v.toFixed(4)}`);
  return [
    `job ${job.id} (${job.name}): ${shortState(job.state)}`,
    `  reason:     ${job.reason}`,
    `  dataset:    ${job.dataset}`,
    `  workers:    ${job.workerIds.join(', ') || '-'} (generation ${job.generation})`,
    `  progress:   epoch ${job.epoch}/${job.totalEpochs}, step ${job.step}/${job.totalSteps}`,
    `  checkpoint: ${job.checkpointKey || '-'}`,
    ...(job.resultKey ? [`  result:     ${job.resultKey}`] : []),
    ...(metrics.length ? ['  metrics:', ...metrics] : []),
  ].join('\n');
}
