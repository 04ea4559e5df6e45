import { formatBytes } from '../formatting/byte-size.ts';
import { CHECKPOINT_FILES } from '@tessera/client/tessera-client';

export interface CheckpointView {
  step: number;
  createdAt: string;
  sizeBytes: number;
}

/**
 * Complete checkpoints, newest first, each with links to its files. `model.json` + `weights.bin` are a TensorFlow.js
 * layers model (`tf.loadLayersModel`); the other two restore training exactly.
 */
export function CheckpointList({ jobId, checkpoints }: { jobId: string; checkpoints: CheckpointView[] }) {
  if (checkpoints.length === 0) return <p className="muted">No checkpoint yet.</p>;
  const sorted = [...checkpoints].sort((a, b) => b.step - a.step);
  return (
    <table id="checkpoints">
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Written</th>
          <th scope="col">Size</th>
          <th scope="col">Download</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((c) => (
          <tr key={c.step} data-step={c.step}>
            <td>{c.step}</td>
            <td>
              <time dateTime={c.createdAt}>{c.createdAt.replace('T', ' ').slice(0, 19)}</time>
            </td>
            <td>{formatBytes(c.sizeBytes)}</td>
            <td>
              {CHECKPOINT_FILES.map((file, i) => (
                <span key={file}>
                  {i > 0 && ' · '}
                  <a href={`/api/jobs/${encodeURIComponent(jobId)}/checkpoints/${c.step}/${file}`} download aria-label={`Download ${file} of step ${c.step}`}>
                    {file}
                  </a>
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
