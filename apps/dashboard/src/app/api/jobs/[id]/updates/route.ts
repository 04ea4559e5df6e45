import type { NextRequest } from 'next/server';
import { jobUpdateStream } from '../../../../../live/job-update-stream.ts';
import { coordinatorFor } from '../../../../../server/coordinator-client.ts';
import { sessionOfRequest, unauthenticatedResponse } from '../../../../../server/session.ts';

export const dynamic = 'force-dynamic';

/** Server-Sent Events of one job (see jobUpdateStream), for the job page's live charts and log. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const session = sessionOfRequest(request);
  if (!session) return unauthenticatedResponse();
  const { id } = await params;
  return new Response(jobUpdateStream(coordinatorFor(session), id), {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
