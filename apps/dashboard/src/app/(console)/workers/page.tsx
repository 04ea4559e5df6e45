import type { Metadata } from 'next';
import Link from 'next/link';
import { AutoRefresh } from '../../../components/auto-refresh.tsx';
import { formatAge } from '../../../formatting/durations.ts';
import { stateLabel } from '../../../formatting/job-state.ts';
import { coordinatorFor } from '../../../server/coordinator-client.ts';
import { requireSession } from '../../../server/session.ts';

export const metadata: Metadata = { title: 'Workers' };

/** Every registered worker: where it runs, on what, and what it is doing; refreshed every few seconds. */
export default async function WorkersPage() {
  const session = await requireSession();
  const workers = await coordinatorFor(session).listWorkers();
  const now = Date.now();
  return (
    <>
      <AutoRefresh everyMs={2000} />
      <h1>Workers</h1>
      {workers.length === 0 ? (
        <p className="muted">No worker has joined. Start one with <code>tessera up</code> or the worker image.</p>
      ) : (
        <table id="workers">
          <thead>
            <tr>
              <th scope="col">Worker</th>
              <th scope="col">Host</th>
              <th scope="col">Backend</th>
              <th scope="col">Device</th>
              <th scope="col">State</th>
              <th scope="col">Job and rank</th>
              <th scope="col">Heartbeat</th>
              <th scope="col">Samples/s</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((w) => (
              <tr key={w.id} data-worker-id={w.id}>
                <td>{w.id}</td>
                <td>{w.host}</td>
                <td>{w.backend}</td>
                <td>{w.device || '—'}</td>
                <td className="state">{stateLabel(w.state)}</td>
                <td>
                  {w.jobId ? (
                    <>
                      <Link href={`/jobs/${w.jobId}`}>{w.jobId.slice(0, 8)}</Link>, rank {w.rank}
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{formatAge(w.lastHeartbeatAt, now)} ago</td>
                <td>{w.samplesPerSecond ? w.samplesPerSecond.toFixed(0) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
