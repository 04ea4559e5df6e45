import { createServer, type ServerResponse } from 'node:http';

/**
 * The floor the dashboard is compared with in the same run: a plain HTML page with the same 1,000-row table as the
 * jobs page (no framework, no script), and a page that appends each Server-Sent Event from this server to the DOM,
 * which is the least a browser can do to show a pushed step.
 */
export interface StaticBaseline {
  url: string;
  /** Pushes one event to every open `/events` stream. */
  push(): void;
  close(): Promise<void>;
}

export async function startStaticBaseline(rows: number): Promise<StaticBaseline> {
  const table = Array.from({ length: rows }, (_, i) => `<tr><td><a href="#">bench-${i}</a></td><td>running</td><td><progress max="100" value="50"></progress> 50%</td><td>2 of 2–2</td><td>cpu</td><td>3 s</td></tr>`).join('');
  const tablePage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>static</title></head><body><main><h1>Jobs</h1><table><thead><tr><th>Name</th><th>State</th><th>Progress</th><th>Workers</th><th>Backend</th><th>Age</th></tr></thead><tbody>${table}</tbody></table></main></body></html>`;
  const ssePage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sse</title></head><body><main><p id="count" data-points="0">0</p><script>
    const el = document.getElementById('count'); let n = 0;
    const source = new EventSource('/events');
    source.addEventListener('step', () => { n++; el.dataset.points = String(n); el.textContent = String(n); });
    source.addEventListener('open', () => { document.body.dataset.open = '1'; });
  </script></main></body></html>`;
  const streams = new Set<ServerResponse>();
  let seq = 0;
  const server = createServer((req, res) => {
    if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': open\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(req.url === '/sse' ? ssePage : tablePage);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    push: () => {
      seq++;
      for (const res of streams) res.write(`event: step\ndata: ${seq}\n\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
