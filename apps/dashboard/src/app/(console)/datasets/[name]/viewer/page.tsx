import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { windowPresets } from '@tessera/core/jobs/segmentation-spec';
import type { Job, SegmentationCaseList } from '@tessera/client/tessera-client';
import { SliceViewer, type WindowPreset } from '../../../../../components/slice-viewer.tsx';
import { stateLabel } from '../../../../../formatting/job-state.ts';
import { coordinatorFor } from '../../../../../server/coordinator-client.ts';
import { requireSession } from '../../../../../server/session.ts';
import { caseSortOf, sortCases, type CaseSort, type SortOrder } from '../../../../../viewer/case-order.ts';

export const metadata: Metadata = { title: 'Slice viewer' };

interface ViewerSearch {
  case?: string;
  prediction?: string;
  sha256?: string;
  sort?: string;
  order?: string;
}

const PRESETS: WindowPreset[] = Object.entries(windowPresets).map(([name, w]) => ({ name, center: w.center, width: w.width }));

/**
 * A segmentation data set's cases: the list (with Dice and IoU per case when a prediction job is chosen, sortable by
 * either) beside the slice viewer of the case picked. Everything is in the URL (`?case=&prediction=&sort=&order=`), so
 * a view can be linked to, and the list works without script.
 */
export default async function ViewerPage({ params, searchParams }: { params: Promise<{ name: string }>; searchParams: Promise<ViewerSearch> }) {
  const session = await requireSession();
  const { name } = await params;
  const search = await searchParams;
  const prediction = search.prediction ?? '';
  const sha256 = search.sha256 ?? '';
  const client = coordinatorFor(session);
  let list: SegmentationCaseList;
  try {
    list = await client.listSegmentationCases(name, { sha256, predictionJobId: prediction });
  } catch (err) {
    const kind = (err as { kind?: string }).kind;
    if (kind === 'NotFound' && !prediction) notFound();
    return (
      <>
        <h1>{name}</h1>
        <p className="error" role="alert">
          Cannot show the cases of {name}: {(err as Error).message}
        </p>
        <p>
          <Link href="/datasets">Back to data sets</Link>
        </p>
      </>
    );
  }
  const jobs = predictionJobsOf(await client.listJobs({ limit: 1000 }), list.dataset);
  const { sort, order } = caseSortOf(search.sort, search.order);
  const cases = sortCases(list.cases, sort, order);
  const chosen = list.cases.find((c) => c.id === search.case) ?? cases[0];
  const query = (change: Partial<Record<'case' | 'sort' | 'order', string>>) => {
    const next = new URLSearchParams({ ...(sha256 ? { sha256 } : {}), ...(prediction ? { prediction } : {}), ...(chosen ? { case: chosen.id } : {}), ...(sort !== 'manifest' || order === 'desc' ? { sort, order } : {}), ...change });
    return `/datasets/${encodeURIComponent(name)}/viewer?${next.toString()}`;
  };
  const src = chosen
    ? `/api/datasets/${encodeURIComponent(name)}/cases/${encodeURIComponent(chosen.id)}?${new URLSearchParams({ sha256: list.sha256, ...(prediction ? { prediction } : {}) }).toString()}`
    : undefined;
  return (
    <>
      <h1>{name}: slice viewer</h1>
      <dl className="facts">
        <dt>Version</dt>
        <dd>
          <code title={list.sha256}>{list.sha256.slice(0, 16)}…</code>
        </dd>
        <dt>Images</dt>
        <dd>
          {list.cases.length} {list.dims === 2 ? '2D slices' : '3D volumes'}, {list.modality}, {list.units === 'HU' ? 'Hounsfield units' : 'grey levels'}; classes {list.classNames.join(', ')}
        </dd>
      </dl>
      <form className="filters" aria-label="Choose a prediction">
        {sha256 && <input type="hidden" name="sha256" value={sha256} />}
        {chosen && <input type="hidden" name="case" value={chosen.id} />}
        <div className="field">
          <label htmlFor="prediction">Prediction job</label>
          <select id="prediction" name="prediction" defaultValue={prediction}>
            <option value="">None (ground truth only)</option>
            {jobs.map((j) => (
              <option key={j.id} value={j.id}>
                {j.name} ({stateLabel(j.state)}, {j.id})
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Show</button>
        {prediction && (
          <Link href={`/jobs/${encodeURIComponent(prediction)}`}>
            Prediction job<span className="visually-hidden"> {prediction}</span>
          </Link>
        )}
      </form>
      {prediction && (
        <p id="prediction-summary">
          {list.hasSummary
            ? `Mean over ${list.cases.filter((c) => c.scored).length} scored ${list.predictionSplit} cases: Dice ${list.meanDice.toFixed(3)}, IoU ${list.meanIou.toFixed(3)}`
            : 'This job has not written its summary yet: Dice and IoU appear when it succeeds.'}
        </p>
      )}
      <div className="viewer-layout">
        <section aria-labelledby="cases-heading">
          <h2 id="cases-heading">Cases</h2>
          <div className="events case-list" tabIndex={0} role="region" aria-label={`Cases of ${name}`}>
            <table id="viewer-cases">
              <thead>
                <tr>
                  <SortHeader label="Case" column="manifest" sort={sort} order={order} href={(o) => query({ sort: 'manifest', order: o })} />
                  <th scope="col">Split</th>
                  <th scope="col">Shape</th>
                  {prediction && <SortHeader label="Dice" column="dice" sort={sort} order={order} href={(o) => query({ sort: 'dice', order: o })} />}
                  {prediction && <SortHeader label="IoU" column="iou" sort={sort} order={order} href={(o) => query({ sort: 'iou', order: o })} />}
                </tr>
              </thead>
              <tbody>
                {cases.map((c) => (
                  <tr key={c.id} data-case-id={c.id} aria-current={c.id === chosen?.id ? 'true' : undefined}>
                    <td>
                      <Link href={query({ case: c.id })}>{c.id}</Link>
                    </td>
                    <td>{c.split}</td>
                    <td>{c.shape.join('x')}</td>
                    {prediction && <td className="dice">{c.scored ? c.dice.toFixed(3) : '—'}</td>}
                    {prediction && <td>{c.scored ? c.iou.toFixed(3) : '—'}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section aria-labelledby="viewer-heading">
          <h2 id="viewer-heading">{chosen ? `Case ${chosen.id}` : 'No case'}</h2>
          {src ? <SliceViewer key={src} src={src} presets={PRESETS} /> : <p className="muted">This data set has no case.</p>}
        </section>
      </div>
    </>
  );
}

/** A column header that sorts by its column: ascending first, then descending; `aria-sort` tells which is on. */
function SortHeader({ label, column, sort, order, href }: { label: string; column: CaseSort; sort: CaseSort; order: SortOrder; href: (order: SortOrder) => string }) {
  const active = sort === column;
  const next: SortOrder = active && order === 'asc' ? 'desc' : 'asc';
  return (
    <th scope="col" aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : undefined}>
      <Link href={href(next)}>
        {label}
        {active ? (order === 'asc' ? ' ▲' : ' ▼') : ''}
        <span className="visually-hidden">, sort {next === 'asc' ? 'ascending' : 'descending'}</span>
      </Link>
    </th>
  );
}

/** Segmentation-prediction jobs of this data set (any version), newest first. */
function predictionJobsOf(jobs: Job[], dataset: string): Job[] {
  return jobs.filter((job) => {
    try {
      const spec = JSON.parse(job.specJson) as { workload?: string };
      return spec.workload === 'segmentation-prediction' && job.dataset.split('@')[0] === dataset;
    } catch {
      return false;
    }
  });
}
