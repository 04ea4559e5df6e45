import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { TesseraClient } from '@tessera/client/tessera-client';
import { CancelJobButton } from '../../../../components/cancel-job-button.tsx';
import { CheckpointList } from '../../../../components/checkpoint-list.tsx';
import { JobLive } from '../../../../components/job-live.tsx';
import { hasEnded } from '../../../../formatting/job-state.ts';
import { toJobView } from '../../../../live/job-view.ts';
import { coordinatorFor } from '../../../../server/coordinator-client.ts';
import { requireSession } from '../../../../server/session.ts';

export const metadata: Metadata = { title: 'Job' };

/** One job: facts and checkpoints rendered here, charts, progress and events streamed by JobLive. */
export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requireSession();
  const { id } = await params;
  const client = coordinatorFor(session);
  const job = await getJobOrNotFound(client, id);
  const checkpoints = await client.listCheckpoints(id);
  return (
    <>
      <h1>{job.name}</h1>
      <dl className="facts">
        <dt>Job id</dt>
        <dd>
          <code>{job.id}</code>
        </dd>
        <dt>Data set</dt>
        <dd>{job.dataset}</dd>
        <dt>Workers</dt>
        <dd>
          {job.minWorkers}–{job.maxWorkers}, priority {job.priority}
        </dd>
        <dt>Created</dt>
        <dd>
          <time dateTime={job.createdAt}>{job.createdAt.replace('T', ' ').slice(0, 19)}</time>
        </dd>
        {job.resultKey && (
          <>
            <dt>Predictions</dt>
            <dd id="job-result">
              <code>{job.resultKey}</code>{' '}
              {job.state === 'JOB_STATE_SUCCEEDED' ? (
                <a href={`/api/jobs/${encodeURIComponent(job.id)}/result`} download>
                  Download CSV
                </a>
              ) : (
                '(written when the job succeeds)'
              )}
            </dd>
          </>
        )}
      </dl>
      {isSegmentationPrediction(job.specJson) && (
        <p id="job-viewer">
          <Link href={`/datasets/${encodeURIComponent(job.dataset.split('@')[0] ?? '')}/viewer?${new URLSearchParams({ sha256: job.dataset.split('@')[1] ?? '', prediction: job.id }).toString()}`}>
            Open the predicted masks in the slice viewer
          </Link>{' '}
          <span className="muted">(Dice and IoU per case once the job succeeds)</span>
        </p>
      )}
      {!hasEnded(job.state) && (
        <p>
          <CancelJobButton jobId={job.id} />
        </p>
      )}
      <JobLive initialJob={toJobView(job)} />
      <h2>Checkpoints</h2>
      <CheckpointList jobId={job.id} checkpoints={checkpoints.map((c) => ({ step: c.step, createdAt: c.createdAt, sizeBytes: c.sizeBytes }))} />
    </>
  );
}

function isSegmentationPrediction(specJson: string): boolean {
  try {
    return (JSON.parse(specJson) as { workload?: string }).workload === 'segmentation-prediction';
  } catch {
    return false;
  }
}

async function getJobOrNotFound(client: TesseraClient, id: string) {
  try {
    return await client.getJob(id);
  } catch (err) {
    if ((err as { kind?: string }).kind === 'NotFound') notFound();
    throw err;
  }
}
