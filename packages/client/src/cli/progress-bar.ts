/**
 * A one-line progress bar for long work. On a terminal it redraws in place; elsewhere (CI logs, pipes) it prints a
 * line each time progress crosses another 10%, so logs stay readable.
 */
export class ProgressBar {
  private lastBucket = -1;
  private readonly startedAt = Date.now();
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly width = 28,
  ) {}

  update(done: number, total: number, detail = ''): void {
    const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
    const line = renderProgress(this.label, fraction, detail, Date.now() - this.startedAt, this.width);
    if (this.out.isTTY) {
      this.out.write(`\r${line}\x1b[K`);
      this.drawn = true;
      return;
    }
    const bucket = Math.floor(fraction * 10);
    if (bucket !== this.lastBucket) {
      this.lastBucket = bucket;
      this.out.write(line + '\n');
    }
  }

  finish(message?: string): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
    if (message) this.out.write(message + '\n');
  }
}

/** The bar as text: `label [#####-----]  50% detail ETA 3s`. ETA extrapolates the elapsed time linearly. */
export function renderProgress(label: string, fraction: number, detail: string, elapsedMs: number, width: number): string {
  const filled = Math.round(fraction * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const pct = `${(fraction * 100).toFixed(0).padStart(3)}%`;
  const eta = fraction > 0 && fraction < 1 ? ` ETA ${formatDuration((elapsedMs / fraction) * (1 - fraction))}` : '';
  return `${label} [${bar}] ${pct}${detail ? ` ${detail}` : ''}${eta}`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
