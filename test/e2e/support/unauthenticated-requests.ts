import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DASHBOARD_DIR } from '@tessera/client/cli/dashboard-server';

/** The header CVE-2025-29927 used to make Next.js skip middleware; the dashboard must not care. */
export const MIDDLEWARE_BYPASS_HEADER = { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' };

export interface ServerActionInfo {
  id: string;
  /** The source file that defines it (`apps/dashboard/src/actions/cancel-job.ts`). */
  file: string;
  /** Route patterns of the pages that can receive it (`/jobs/[id]`): an action posted elsewhere is not found. */
  routes: string[];
}

/** Every server action the production build contains, read from Next's server-reference manifest. */
export async function serverActions(): Promise<ServerActionInfo[]> {
  const manifest = JSON.parse(await readFile(path.join(DASHBOARD_DIR, '.next/server/server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { filename?: string; workers?: Record<string, unknown> }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => ({
    id,
    file: entry.filename ?? '',
    routes: Object.keys(entry.workers ?? {}).map(routeOfWorker),
  }));
}

/** `app/(console)/jobs/[id]/page` → `/jobs/[id]`. */
function routeOfWorker(worker: string): string {
  const segments = worker.split('/').slice(1, -1).filter((s) => !/^\(.*\)$/.test(s));
  return `/${segments.join('/')}`;
}

/** Calls a server action the way React does (`Next-Action` header, arguments encoded as JSON) with no cookie. */
export async function callAction(baseUrl: string, pagePath: string, actionId: string, args: unknown[], headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}${pagePath}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'next-action': actionId, 'content-type': 'text/plain;charset=UTF-8', accept: 'text/x-component', origin: baseUrl, ...headers },
    body: JSON.stringify(args),
  });
}

/** Whether a response sends the caller to sign in (a page's 307 or an action's redirect) or refuses with 401. */
export function refusesOrSendsToSignIn(response: Response): boolean {
  if (response.status === 401) return true;
  const location = response.headers.get('location') ?? response.headers.get('x-action-redirect') ?? '';
  return location.startsWith('/sign-in') || location.includes('/sign-in');
}
