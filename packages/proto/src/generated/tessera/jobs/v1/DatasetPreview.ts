// Original file: proto/tessera/jobs/v1/jobs.proto

import type { PreviewRow as _tessera_jobs_v1_PreviewRow, PreviewRow__Output as _tessera_jobs_v1_PreviewRow__Output } from '../../../tessera/jobs/v1/PreviewRow.ts';
import type { Long } from '@grpc/proto-loader';

export interface DatasetPreview {
  'columns'?: (string)[];
  'rows'?: (_tessera_jobs_v1_PreviewRow)[];
  'totalRows'?: (number | string | Long);
  'kind'?: (string);
  'name'?: (string);
  'sha256'?: (string);
}

export interface DatasetPreview__Output {
  'columns': (string)[];
  'rows': (_tessera_jobs_v1_PreviewRow__Output)[];
  'totalRows': (number);
  'kind': (string);
  'name': (string);
  'sha256': (string);
}
