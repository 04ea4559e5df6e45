import type { TesseraClient } from '@tessera/client/tessera-client';

const PREVIEW_ROWS = 10;

/** The first rows of a data set as the coordinator parses them (a server component: it calls the API itself). */
export async function DatasetPreview({ client, name, sha256 }: { client: TesseraClient; name: string; sha256: string | undefined }) {
  let preview: Awaited<ReturnType<TesseraClient['previewDataset']>>;
  try {
    preview = await client.previewDataset(name, { ...(sha256 ? { sha256 } : {}), rows: PREVIEW_ROWS });
  } catch (err) {
    return (
      <p className="error" role="alert">
        Cannot preview {name}: {(err as Error).message}
      </p>
    );
  }
  return (
    <section aria-labelledby="preview-heading">
      <h2 id="preview-heading">
        {name}: first {preview.rows.length} of {preview.totalRows} rows
      </h2>
      <div className="events" tabIndex={0} role="region" aria-label={`Preview of ${name}`}>
        <table id="dataset-preview">
          <thead>
            <tr>
              {preview.columns.map((c, i) => (
                <th scope="col" key={i}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row, r) => (
              <tr key={r}>
                {row.cells.map((cell, c) => (
                  <td key={c}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
