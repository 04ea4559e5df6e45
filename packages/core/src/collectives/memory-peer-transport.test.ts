import { createMemoryRing } from './memory-peer-transport.ts';
import { describePeerTransportConformance } from './peer-transport-conformance.ts';

describePeerTransportConformance(
  'MemoryPeerTransport',
  (n) => {
    const { transports } = createMemoryRing(n);
    return Promise.resolve({ transports, dispose: async () => void (await Promise.all(transports.map((t) => t.close()))) });
  },
  4096,
);
