import type { Metadata } from 'next';
import { LaunchForm } from '../../../../components/launch-form.tsx';
import { JOB_TEMPLATES } from '../../../../launch/job-templates.ts';
import { coordinatorFor } from '../../../../server/coordinator-client.ts';
import { requireSession } from '../../../../server/session.ts';

export const metadata: Metadata = { title: 'Launch a job' };

export default async function LaunchPage() {
  const session = await requireSession();
  const datasets = await coordinatorFor(session).listDatasets();
  return (
    <>
      <h1>Launch a job</h1>
      <LaunchForm templates={[...JOB_TEMPLATES]} datasets={datasets.map((d) => ({ name: d.name, sha256: d.sha256, summary: d.summary, kind: d.kind }))} />
    </>
  );
}
