import type { NextConfig } from 'next';

/**
 * The dashboard runs as one Node server (`next start`): sessions live in its memory and it holds gRPC connections to
 * the coordinator, so it is never exported statically or run on an edge runtime.
 */
const config: NextConfig = {
  // The workspace packages are TypeScript sources (exports map to src/*.ts); grpc-js must stay a real Node module.
  transpilePackages: ['@tessera/client', '@tessera/core', '@tessera/proto'],
  serverExternalPackages: ['@grpc/grpc-js', '@grpc/proto-loader'],
  poweredByHeader: false,
  experimental: {
    // Data-set uploads go through a server action; the coordinator's own upload limit still applies.
    serverActions: { bodySizeLimit: '64mb' },
  },
};

export default config;
