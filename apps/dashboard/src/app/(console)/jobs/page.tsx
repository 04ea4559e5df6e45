import type { Metadata } from 'next';
import Link from 'next/link';
import type { Job, Worker } from '@tessera/client/tessera-client';
import { formatAge } from '../../../formatting/durations.ts';
import { isJobState, JOB_STATES, stateLabel } from '../../../formatting/job-state.ts';
import { coordinatorFor } from '../../../server/coordinator-client.ts';
import { requireSession } from '../../../server/session.ts';
import { AutoRefresh } from '../../../components/auto-refresh.tsx';

export const metadata: Metadata = { title: 'Jobs' };

interface JobsSearch {
  state?: string;
  q?: string;
}

/** Jobs newest first, filtered by state and name; refreshed every few seconds while on screen. */
export default async function JobsPage({ searchParams }: { searchParams: Promise<JobsSearch> }) {
  const session = await requireSession();
  const { state = '', q = '' } = await searchParams;
  const client = coordinatorFor(session);
  const query = q.trim();
  const [jobs, workers] = await Promise.all([
    client.listJobs({ states: isJobState(state) ? [state] : [], limit: 1000, ...(query ? { nameContains: query } : {}) }),
    client.listWorkers(),
  ]);
  const shown = query ? jobs.filter((job) => job.name.toLowerCase().includes(query.toLowerCase())) : jobs;
  const backendOf = new Map(workers.map((w) => [w.id, w.backend]));
  const now = Date.now();
  return (
    <>
      <AutoRefresh everyMs={3000} />
      <h1>Jobs</h1>
      <form className="filters" role="search" aria-label="Filter jobs">
        <div className="field">
          <label htmlFor="state">State</label>
          <select id="state" name="state" defaultValue={state}>
            <option value="">All states</option>
            {JOB_STATES.map((s) => (
              <option key={s} value={s}>
                {stateLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="q">Name contains</label>
          <input id="q" name="q" type="search" defaultValue={q} />
        </div>
        <button type="submit">Filter</button>
        <Link href="/jobs/new">Launch a job</Link>
      </form>
      <table>
        <caption className="muted">
          {shown.length} job{shown.length === 1 ? '' : 's'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">State</th>
            <th scope="col">Progress</th>
            <th scope="col">Workers</th>
            <th scope="col">Backend</th>
            <th scope="col">Age</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((job) => (
            <JobRow key={job.id} job={job} backends={backendsOf(job, backendOf)} now={now} />
          ))}
        </tbody>
      </table>
    </>
  );
}

function backendsOf(job: Job, backendOf: ReadonlyMap<string, Worker['backend']>): string {
  const names = new Set(job.workerIds.map((id) => backendOf.get(id)).filter((b): b is string => Boolean(b)));
  return [...names].join(', ') || '—';
}

function JobRow({ job, backends, now }: { job: Job; backends: string; now: number }) {
  const percent = job.totalSteps > 0 ? Math.round((100 * job.step) / job.totalSteps) : 0;
  return (
    <tr data-job-id={job.id}>
      <td>
        <Link href={`/jobs/${job.id}`}>{job.name}</Link>
      </td>
      <td className={`state state-${stateLabel(job.state)}`}>{stateLabel(job.state)}</td>
      <td>
        <progress max={100} value={percent} aria-label={`${job.name} progress`} /> {percent}%
      </td>
      <td>
        {job.workerIds.length} of {job.minWorkers}–{job.maxWorkers}
      </td>
      <td>{backends}</td>
      <td>{formatAge(job.createdAt, now)}</td>
    </tr>
  );
}
