// Original file: proto/tessera/jobs/v1/jobs.proto

import type { PreviewRow as _tessera_jobs_v1_PreviewRow, PreviewRow__Output as _tessera_jobs_v1_PreviewRow__Output } from '../../../tessera/jobs/v1/PreviewRow.ts';
import type { Thumbnail as _tessera_jobs_v1_Thumbnail, Thumbnail__Output as _tessera_jobs_v1_Thumbnail__Output } from '../../../tessera/jobs/v1/Thumbnail.ts';
import type { Long } from '@grpc/proto-loader';

export interface DatasetPreview {
  'columns'?: (string)[];
  'rows'?: (_tessera_jobs_v1_PreviewRow)[];
  'totalRows'?: (number | string | Long);
  'kind'?: (string);
  'name'?: (string);
  'sha256'?: (string);
  'thumbnails'?: (_tessera_jobs_v1_Thumbnail)[];
  'classNames'?: (string)[];
  'trainCount'?: (number | string | Long);
  'validCount'?: (number | string | Long);
  'imageHeight'?: (number);
  'imageWidth'?: (number);
  'testCount'?: (number | string | Long);
  'dims'?: (number);
  'modality'?: (string);
  'units'?: (string);
}

export interface DatasetPreview__Output {
  'columns': (string)[];
  'rows': (_tessera_jobs_v1_PreviewRow__Output)[];
  'totalRows': (number);
  'kind': (string);
  'name': (string);
  'sha256': (string);
  'thumbnails': (_tessera_jobs_v1_Thumbnail__Output)[];
  'classNames': (string)[];
  'trainCount': (number);
  'validCount': (number);
  'imageHeight': (number);
  'imageWidth': (number);
  'testCount': (number);
  'dims': (number);
  'modality': (string);
  'units': (string);
}
