import type { NextRequest } from 'next/server';
import { coordinatorFor } from '../../../../../server/coordinator-client.ts';
import { sessionOfRequest, unauthenticatedResponse } from '../../../../../server/session.ts';

export const dynamic = 'force-dynamic';

const STATUS_BY_KIND: Record<string, number> = { NotFound: 404, FailedPrecondition: 409, InvalidArgument: 400, Unauthenticated: 401 };

/**
 * Downloads a succeeded job's result file through the coordinator's API (the dashboard holds no storage key): for an
 * image-prediction job, its predictions CSV, saved as `<job id>-predictions.csv`.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const session = sessionOfRequest(request);
  if (!session) return unauthenticatedResponse();
  const { id } = await params;
  let bytes: Uint8Array;
  try {
    bytes = await coordinatorFor(session).readJobResult(id);
  } catch (err) {
    const status = STATUS_BY_KIND[(err as { kind?: string }).kind ?? ''] ?? 502;
    return new Response(`${(err as Error).message}\n`, { status });
  }
  return new Response(new Uint8Array(bytes), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${id.replace(/[^A-Za-z0-9_-]/g, '_')}-predictions.csv"`,
      'cache-control': 'private, no-store',
    },
  });
}
