import type { NextRequest } from 'next/server';
import { encodeCaseVolume } from '../../../../../../viewer/case-volume-format.ts';
import { coordinatorFor } from '../../../../../../server/coordinator-client.ts';
import { sessionOfRequest, unauthenticatedResponse } from '../../../../../../server/session.ts';

export const dynamic = 'force-dynamic';

const STATUS_BY_KIND: Record<string, number> = { NotFound: 404, InvalidArgument: 400, Unauthenticated: 401, DataLoss: 502 };

/**
 * One case of a segmentation data set for the slice viewer, read through the coordinator's API (the dashboard holds
 * no storage key) and sent as one binary body (see case-volume-format.ts): the image in source units, its true mask
 * and, with `?prediction=<job id>`, the mask that job predicted. `?sha256=` picks a version (default: the latest).
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ name: string; caseId: string }> }): Promise<Response> {
  const session = sessionOfRequest(request);
  if (!session) return unauthenticatedResponse();
  const { name, caseId } = await params;
  const sha256 = request.nextUrl.searchParams.get('sha256') ?? '';
  const predictionJobId = request.nextUrl.searchParams.get('prediction') ?? '';
  let body: Uint8Array<ArrayBuffer>;
  try {
    const { header, image, mask, prediction } = await coordinatorFor(session).readSegmentationCase(name, caseId, { sha256, predictionJobId });
    const c = header.case;
    const [depth = 1, height = 1, width = 1] = c?.shape ?? [];
    const [dz = 1, dy = 1, dx = 1] = c?.spacing ?? [];
    body = encodeCaseVolume({
      header: {
        dataset: header.dataset,
        sha256: header.sha256,
        id: c?.id ?? caseId,
        split: c?.split ?? '',
        shape: [depth, height, width],
        spacing: [dz, dy, dx],
        units: header.units,
        modality: header.modality,
        classNames: header.classNames,
        hasMask: mask !== undefined,
        hasPrediction: prediction !== undefined,
        scored: c?.scored ?? false,
        dice: c?.dice ?? 0,
        iou: c?.iou ?? 0,
      },
      image,
      mask,
      prediction,
    });
  } catch (err) {
    const status = STATUS_BY_KIND[(err as { kind?: string }).kind ?? ''] ?? 502;
    return new Response(`${(err as Error).message}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
  }
  return new Response(body, {
    headers: { 'content-type': 'application/octet-stream', 'cache-control': 'private, no-store' },
  });
}
