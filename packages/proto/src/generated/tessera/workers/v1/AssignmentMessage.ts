// Original file: proto/tessera/workers/v1/workers.proto

import type { Assignment as _tessera_workers_v1_Assignment, Assignment__Output as _tessera_workers_v1_Assignment__Output } from '../../../tessera/workers/v1/Assignment.ts';
import type { Cancellation as _tessera_workers_v1_Cancellation, Cancellation__Output as _tessera_workers_v1_Cancellation__Output } from '../../../tessera/workers/v1/Cancellation.ts';

export interface AssignmentMessage {
  'assignment'?: (_tessera_workers_v1_Assignment | null);
  'cancellation'?: (_tessera_workers_v1_Cancellation | null);
  'message'?: "assignment"|"cancellation";
}

export interface AssignmentMessage__Output {
  'assignment'?: (_tessera_workers_v1_Assignment__Output | null);
  'cancellation'?: (_tessera_workers_v1_Cancellation__Output | null);
  'message'?: "assignment"|"cancellation";
}
