// Original file: proto/tessera/workers/v1/workers.proto


export interface MetricValue {
  'split'?: (string);
  'name'?: (string);
  'value'?: (number | string);
}

export interface MetricValue__Output {
  'split': (string);
  'name': (string);
  'value': (number);
}
