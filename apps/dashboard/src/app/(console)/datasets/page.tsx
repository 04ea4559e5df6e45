import type { Metadata } from 'next';
import Link from 'next/link';
import { DatasetPreview } from '../../../components/dataset-preview.tsx';
import { UploadDatasetForm } from '../../../components/upload-dataset-form.tsx';
import { formatBytes } from '../../../formatting/byte-size.ts';
import { coordinatorFor } from '../../../server/coordinator-client.ts';
import { requireSession } from '../../../server/session.ts';

export const metadata: Metadata = { title: 'Data sets' };

/** Registered data sets with size and content hash, an upload form, and a preview of the one picked. */
export default async function DatasetsPage({ searchParams }: { searchParams: Promise<{ preview?: string; sha256?: string }> }) {
  const session = await requireSession();
  const { preview, sha256 } = await searchParams;
  const client = coordinatorFor(session);
  const datasets = await client.listDatasets();
  return (
    <>
      <h1>Data sets</h1>
      <h2>Upload</h2>
      <UploadDatasetForm />
      <h2>Registered</h2>
      {datasets.length === 0 ? (
        <p className="muted">No data set yet.</p>
      ) : (
        <table id="datasets">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Size</th>
              <th scope="col">Summary</th>
              <th scope="col">sha256</th>
              <th scope="col">Registered</th>
              <th scope="col">Preview</th>
            </tr>
          </thead>
          <tbody>
            {datasets.map((d) => (
              <tr key={`${d.name}@${d.sha256}`}>
                <td>{d.name}</td>
                <td>{d.kind}</td>
                <td>{formatBytes(d.sizeBytes)}</td>
                <td>{d.summary}</td>
                <td>
                  <code title={d.sha256}>{d.sha256.slice(0, 16)}…</code>
                </td>
                <td>
                  <time dateTime={d.createdAt}>{d.createdAt.slice(0, 10)}</time>
                </td>
                <td>
                  <Link href={`/datasets?preview=${encodeURIComponent(d.name)}&sha256=${d.sha256}`}>
                    {d.kind === 'image-folder' || d.kind === 'segmentation' ? 'images' : 'first rows'}
                    <span className="visually-hidden"> of {d.name}</span>
                  </Link>
                  {d.kind === 'segmentation' && (
                    <>
                      {' · '}
                      <Link href={`/datasets/${encodeURIComponent(d.name)}/viewer?sha256=${d.sha256}`}>
                        slice viewer<span className="visually-hidden"> of {d.name}</span>
                      </Link>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {preview && <DatasetPreview client={client} name={preview} sha256={sha256} />}
    </>
  );
}
