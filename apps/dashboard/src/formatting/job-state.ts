/** Job states as the API names them, in the order the filter offers them. */
export const JOB_STATES = ['JOB_STATE_QUEUED', 'JOB_STATE_RUNNING', 'JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED'] as const;
export type JobStateName = (typeof JOB_STATES)[number];

const ENDED: ReadonlySet<string> = new Set(['JOB_STATE_SUCCEEDED', 'JOB_STATE_FAILED', 'JOB_STATE_CANCELLED']);

/** `JOB_STATE_RUNNING` → `running`; what users read and what tests match. */
export function stateLabel(state: string): string {
  return state.replace(/^(JOB|WORKER)_STATE_/, '').toLowerCase();
}

export function isJobState(value: string): value is JobStateName {
  return (JOB_STATES as readonly string[]).includes(value);
}

export function hasEnded(state: string): boolean {
  return ENDED.has(state);
}
