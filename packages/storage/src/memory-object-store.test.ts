import { MemoryObjectStore } from './memory-object-store.ts';
import { describeObjectStoreConformance } from './object-store-conformance.ts';

describeObjectStoreConformance('MemoryObjectStore', () =>
  Promise.resolve({ store: new MemoryObjectStore(), dispose: () => Promise.resolve() }),
);
