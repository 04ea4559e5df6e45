import type { NextRequest } from 'next/server';
import { CHECKPOINT_FILES, type CheckpointFile } from '@tessera/client/tessera-client';
import { coordinatorFor } from '../../../../../../../server/coordinator-client.ts';
import { sessionOfRequest, unauthenticatedResponse } from '../../../../../../../server/session.ts';

export const dynamic = 'force-dynamic';

const isCheckpointFile = (name: string): name is CheckpointFile => (CHECKPOINT_FILES as readonly string[]).includes(name);

const STATUS_BY_KIND: Record<string, number> = { NotFound: 404, InvalidArgument: 400, Unauthenticated: 401 };

/**
 * Downloads one file of a checkpoint, read through the coordinator's API (the dashboard holds no storage key).
 * `model.json` and `weights.bin` sit side by side under the same step, so `tf.loadLayersModel` pointed at the
 * model.json URL finds the weights by its relative path.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string; step: string; file: string }> }): Promise<Response> {
  const session = sessionOfRequest(request);
  if (!session) return unauthenticatedResponse();
  const { id, step, file } = await params;
  if (!isCheckpointFile(file) || !/^\d{1,15}$/.test(step)) return new Response('no such checkpoint file\n', { status: 404 });
  let bytes: Uint8Array;
  try {
    bytes = await coordinatorFor(session).readCheckpointFile(id, Number(step), file);
  } catch (err) {
    const status = STATUS_BY_KIND[(err as { kind?: string }).kind ?? ''] ?? 502;
    return new Response(`${(err as Error).message}\n`, { status });
  }
  return new Response(new Uint8Array(bytes), {
    headers: {
      'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      'content-disposition': `attachment; filename="${id}-step${step}-${file}"`,
      'cache-control': 'private, no-store',
    },
  });
}
