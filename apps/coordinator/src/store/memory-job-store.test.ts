import { describeJobStoreConformance } from './job-store-conformance.ts';
import { MemoryJobStore } from './memory-job-store.ts';

describeJobStoreConformance('memory', ({ now }) => Promise.resolve(new MemoryJobStore({ now })));
