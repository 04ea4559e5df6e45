/** `3 s`, `4 min`, `2 h 5 min`, `3 d`: coarse on purpose, for ages and ETAs. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  return `${Math.round(h / 24)} d`;
}

/** Age of an ISO timestamp relative to `now`; `—` for an empty or invalid one. */
export function formatAge(iso: string, now: number): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '—' : formatDuration(now - at);
}

/**
 * Time left at the rate seen so far: (total - done) × elapsed / done. Undefined until there is a rate to go on.
 */
export function estimateRemainingMs(done: number, total: number, elapsedMs: number): number | undefined {
  if (done <= 0 || total <= done || elapsedMs <= 0) return undefined;
  return ((total - done) * elapsedMs) / done;
}
