import type { WorkerThroughputView } from '../live/job-view.ts';

/** Samples per second of each rank, as its heartbeat last reported. */
export function WorkerThroughput({ workers }: { workers: WorkerThroughputView[] }) {
  if (workers.length === 0) return <p className="muted">No worker is running this job now.</p>;
  return (
    <table id="worker-throughput">
      <thead>
        <tr>
          <th scope="col">Rank</th>
          <th scope="col">Worker</th>
          <th scope="col">Host</th>
          <th scope="col">Backend</th>
          <th scope="col">Device</th>
          <th scope="col">Samples/s</th>
        </tr>
      </thead>
      <tbody>
        {workers.map((w) => (
          <tr key={w.id}>
            <td>{w.rank}</td>
            <td>{w.id}</td>
            <td>{w.host}</td>
            <td>{w.backend}</td>
            <td>{w.device || '—'}</td>
            <td>{w.samplesPerSecond.toFixed(0)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
