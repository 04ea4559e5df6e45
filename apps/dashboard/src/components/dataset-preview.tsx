import Link from 'next/link';
import type { TesseraClient } from '@tessera/client/tessera-client';

const PREVIEW_ROWS = 10;

type Preview = Awaited<ReturnType<TesseraClient['previewDataset']>>;

/**
 * An image set's classes and counts, and a few thumbnails per class as data: URLs (PNG, at most 96 px a side, so a
 * page of them stays small); each image is named by its class and path for screen readers.
 */
function ImagePreview({ name, preview }: { name: string; preview: Preview }) {
  return (
    <section aria-labelledby="preview-heading">
      <h2 id="preview-heading">
        {name}: {preview.classNames.length} classes, {String(preview.trainCount)} train / {String(preview.validCount)} valid images,{' '}
        {preview.imageWidth}x{preview.imageHeight}
      </h2>
      <div id="dataset-thumbnails" className="thumbnails">
        {preview.classNames.map((className) => (
          <figure key={className} className="thumbnail-class">
            <figcaption>{className}</figcaption>
            <ul>
              {preview.thumbnails
                .filter((t) => t.className === className)
                .map((t) => (
                  <li key={t.id}>
                    <img src={`data:image/png;base64,${Buffer.from(t.png).toString('base64')}`} alt={`${className}: ${t.id}`} title={t.id} />
                  </li>
                ))}
            </ul>
          </figure>
        ))}
      </div>
    </section>
  );
}

/**
 * A segmentation set's splits, dimensions, modality and classes, and the middle slice of a few cases with the mask
 * outlined; the slice viewer shows every case in full.
 */
function SegmentationPreview({ name, sha256, preview }: { name: string; sha256: string; preview: Preview }) {
  const size = preview.dims === 2 ? `${preview.imageWidth}x${preview.imageHeight} slices` : '3D volumes';
  const test = preview.testCount > 0 ? ` / ${String(preview.testCount)} unlabeled` : '';
  return (
    <section aria-labelledby="preview-heading">
      <h2 id="preview-heading">
        {name}: {String(preview.trainCount)} train / {String(preview.validCount)} valid{test} {size}, {preview.modality}
        {preview.units === 'HU' ? ' (HU)' : ''}, classes {preview.classNames.slice(1).join(', ')}
      </h2>
      <p>
        <Link href={`/datasets/${encodeURIComponent(name)}/viewer?sha256=${sha256}`}>Open the slice viewer</Link> (window/level, masks, Dice per case).
      </p>
      <ul id="dataset-thumbnails" className="thumbnails">
        {preview.thumbnails.map((t) => (
          <li key={t.id}>
            <img src={`data:image/png;base64,${Buffer.from(t.png).toString('base64')}`} alt={`${t.id}, middle slice, mask outlined in red`} title={t.id} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The first rows of a data set as the coordinator parses them, or thumbnails of an image set (a server component: it calls the API itself). */
export async function DatasetPreview({ client, name, sha256 }: { client: TesseraClient; name: string; sha256: string | undefined }) {
  let preview: Preview;
  try {
    preview = await client.previewDataset(name, { ...(sha256 ? { sha256 } : {}), rows: PREVIEW_ROWS });
  } catch (err) {
    return (
      <p className="error" role="alert">
        Cannot preview {name}: {(err as Error).message}
      </p>
    );
  }
  if (preview.kind === 'image-folder') return <ImagePreview name={name} preview={preview} />;
  if (preview.kind === 'segmentation') return <SegmentationPreview name={name} sha256={preview.sha256} preview={preview} />;
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
