import { stateLabel } from '../formatting/job-state.ts';
import type { EventView } from '../live/job-view.ts';

/** State changes, worker joins and losses, checkpoints and errors, newest last, as the coordinator recorded them. */
export function EventLog({ events }: { events: EventView[] }) {
  if (events.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <div className="events" tabIndex={0} role="region" aria-label="Event log">
      <ol id="event-log">
        {events.map((e) => (
          <li key={e.seq} data-kind={e.kind}>
            <time dateTime={e.at}>{e.at.slice(11, 19)}</time> <strong>{e.kind === 'state' ? stateLabel(e.state) : e.kind.replace('_', ' ')}</strong>{' '}
            {e.message}
            {e.workerId && <span className="muted"> ({e.workerId})</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}
