import type { Metadata } from 'next';
import type { TesseraClient } from '@tessera/client/tessera-client';
import { LaunchForm, type DatasetChoice } from '../../../../components/launch-form.tsx';
import { JOB_TEMPLATES } from '../../../../launch/job-templates.ts';
import { coordinatorFor } from '../../../../server/coordinator-client.ts';
import { requireSession } from '../../../../server/session.ts';

export const metadata: Metadata = { title: 'Launch a job' };

export default async function LaunchPage() {
  const session = await requireSession();
  const client = coordinatorFor(session);
  const datasets = await client.listDatasets();
  const choices = await Promise.all(datasets.map(async (d): Promise<DatasetChoice> => ({
    name: d.name, sha256: d.sha256, summary: d.summary, kind: d.kind, ...(d.kind === 'segmentation' ? await segmentationShape(client, d.name, d.sha256) : {}),
  })));
  return (
    <>
      <h1>Launch a job</h1>
      <LaunchForm templates={[...JOB_TEMPLATES]} datasets={choices} />
    </>
  );
}

/**
 * A segmentation set's dimensions and (2D) slice size from its case list, so a U-Net template is offered the sets it
 * can read with their input size filled in. One manifest read per set; a set that cannot be read is offered as is.
 */
async function segmentationShape(client: TesseraClient, name: string, sha256: string): Promise<Pick<DatasetChoice, 'dims' | 'sliceSize'>> {
  try {
    const list = await client.listSegmentationCases(name, { sha256 });
    const [, height, width] = list.cases[0]?.shape ?? [];
    return { dims: list.dims, ...(list.dims === 2 && height && width ? { sliceSize: [height, width] as [number, number] } : {}) };
  } catch {
    return {};
  }
}
