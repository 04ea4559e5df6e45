import S3rver from 's3rver';

/** s3rver accepts any signature made with these (its documented defaults); CI's s3rver uses them too. */
export const S3RVER_ACCESS_KEY = 'S3RVER';
export const S3RVER_SECRET_KEY = 'S3RVER';

export interface S3rverOptions {
  readonly address?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly directory: string;
}

/** Starts s3rver in this process and returns its endpoint URL and a close that also drops idle keep-alive sockets. */
export async function startS3rver(
  options: S3rverOptions,
): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const address = options.address ?? '127.0.0.1';
  const server = new S3rver({ address, port: options.port ?? 0, directory: options.directory, silent: true });
  const { port } = await server.run();
  return {
    endpoint: `http://${address}:${port}`,
    close: async () => {
      // Without this, close waits for the client's keep-alive sockets to time out.
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}

