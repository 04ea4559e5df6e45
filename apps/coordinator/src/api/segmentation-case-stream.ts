import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@tessera/core/logging/logger';
import type { ObjectStore } from '@tessera/storage/object-store';
import type { ReadSegmentationCaseRequest__Output } from '@tessera/proto/generated/tessera/jobs/v1/ReadSegmentationCaseRequest';
import type { SegmentationCaseChunk } from '@tessera/proto/generated/tessera/jobs/v1/SegmentationCaseChunk';
import type { TokenAuthenticator } from '../auth/token-auth.ts';
import { toGrpcError } from '../errors/domain-error.ts';
import { readSegmentationCase } from '../jobs/segmentation-cases.ts';
import type { JobStore } from '../store/job-store.ts';

/** Volume bytes leave in chunks of this size, well under gRPC's 4 MiB default message limit. */
const CHUNK = 1024 * 1024;

/**
 * ReadSegmentationCase: after the token check, the header, then the image, true mask and predicted mask bytes as one
 * run of chunks, honouring flow control (a 30 MB CT never sits in the HTTP/2 buffers at once). Errors end the stream
 * with their status.
 */
export function streamSegmentationCase(
  deps: { auth: TokenAuthenticator; store: JobStore; objects: ObjectStore; log: Logger },
  call: grpc.ServerWritableStream<ReadSegmentationCaseRequest__Output, SegmentationCaseChunk>,
): void {
  void (async () => {
    try {
      await deps.auth.require(call.metadata, 'api');
      const { header, image, mask, prediction } = await readSegmentationCase(deps.store, deps.objects, {
        dataset: call.request.dataset,
        sha256: call.request.sha256,
        caseId: call.request.caseId,
        predictionJobId: call.request.predictionJobId,
      });
      call.write({ header });
      for (const volume of [image, mask, prediction]) {
        if (!volume) continue;
        for (let offset = 0; offset < volume.length && !call.cancelled; offset += CHUNK) {
          if (!call.write({ data: volume.subarray(offset, offset + CHUNK) })) await new Promise((resolve) => call.once('drain', resolve));
        }
      }
      call.end();
    } catch (err) {
      const status = toGrpcError(err);
      if (status.code === grpc.status.INTERNAL) deps.log.error('rpc failed', { rpc: 'ReadSegmentationCase', err });
      call.emit('error', status);
    }
  })();
}
