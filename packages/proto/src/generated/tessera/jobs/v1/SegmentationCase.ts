// Original file: proto/tessera/jobs/v1/jobs.proto

import type { Long } from '@grpc/proto-loader';

export interface SegmentationCase {
  'id'?: (string);
  'split'?: (string);
  'shape'?: (number)[];
  'spacing'?: (number | string)[];
  'foregroundVoxels'?: (number | string | Long);
  'scored'?: (boolean);
  'dice'?: (number | string);
  'iou'?: (number | string);
}

export interface SegmentationCase__Output {
  'id': (string);
  'split': (string);
  'shape': (number)[];
  'spacing': (number)[];
  'foregroundVoxels': (number);
  'scored': (boolean);
  'dice': (number);
  'iou': (number);
}
