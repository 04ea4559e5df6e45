import type { Options } from '@grpc/proto-loader';

/**
 * The one set of `@grpc/proto-loader` options, used both when loading the contracts at run time and when
 * generating their TypeScript types, so the generated types describe exactly the objects the runtime produces:
 * 64-bit integers and enums as strings would surprise callers, so longs become numbers, enums their names.
 */
export const LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const satisfies Options;
