import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetRecord, JobStore, MetricRecord, NewJob, WorkerRecord } from './job-store.ts';

/** Opens a fresh, empty store whose own timestamps come from `now`. */
export type JobStoreFactory = (options: { now: () => Date }) => Promise<JobStore>;

/**
 * The behaviour every `JobStore` must have, run against the in-memory fake (unit tests) and against PGlite and
 * PostgreSQL (test/integration/job-store.test.ts), so the fake cannot drift from the real stores. One store serves
 * the whole suite; tests isolate themselves with a per-suite tag in every id and name they create. The store's
 * clock advances one second per reading, so "newest first" never depends on two writes landing in one millisecond.
 */
export function describeJobStoreConformance(name: string, factory: JobStoreFactory): void {
  describe(`JobStore conformance: ${name}`, () => {
    let store: JobStore;
    let clockMs = Date.UTC(2030, 0, 1);
    const now = () => new Date((clockMs += 1000));
    const tag = randomBytes(4).toString('hex');

    beforeAll(async () => {
      store = await factory({ now });
    });
    afterAll(async () => {
      await store?.close();
    });

    const newJob = (overrides: Partial<NewJob> = {}): NewJob => ({
      name: `sonar-${tag}`,
      spec: { name: `sonar-${tag}`, model: { layers: [60, 16, 1] }, lr: 0.01, tags: ['a', 'b'], nested: { ok: true, none: null } },
      datasetName: `sonar-${tag}`,
      datasetSha256: 'e'.repeat(64),
      minWorkers: 1,
      maxWorkers: 2,
      ...overrides,
    });

    describe('jobs', () => {
      it('creates a queued job with defaults and reads it back unchanged', async () => {
        const created = await store.createJob(newJob({ priority: 3, totalSteps: 100, totalEpochs: 5 }));
        expect(created).toMatchObject({
          name: `sonar-${tag}`,
          state: 'QUEUED',
          reason: '',
          priority: 3,
          generation: 0,
          workerIds: [],
          step: 0,
          totalSteps: 100,
          epoch: 0,
          totalEpochs: 5,
          checkpointKey: null,
          idempotencyKey: null,
          attempts: 0,
          startedAt: null,
          endedAt: null,
        });
        expect(created.id).toMatch(/^job-[0-9a-z]{15}$/);
        expect(created.createdAt).toBeInstanceOf(Date);
        expect(created.spec).toEqual(newJob().spec);
        expect(await store.getJob(created.id)).toEqual(created);
      });

      it('takes the initial state and reason from the input', async () => {
        const created = await store.createJob(newJob({ state: 'RUNNING', reason: 'queued' }));
        expect(created).toMatchObject({ state: 'RUNNING', reason: 'queued' });
      });

      it('returns null for an unknown job id', async () => {
        expect(await store.getJob(`job-unknown${tag}`)).toBeNull();
      });

      it('gives every job a new id', async () => {
        const ids = await Promise.all([1, 2, 3, 4, 5].map(() => store.createJob(newJob()).then((j) => j.id)));
        expect(new Set(ids).size).toBe(5);
      });

      it('returns the existing job for a taken idempotency key instead of creating another', async () => {
        const key = `submit-${tag}-1`;
        const first = await store.createJob(newJob({ idempotencyKey: key }));
        const second = await store.createJob(newJob({ idempotencyKey: key, name: 'other' }));
        expect(second).toEqual(first);
        expect(await store.findJobByIdempotencyKey(key)).toEqual(first);
        expect(await store.findJobByIdempotencyKey(`submit-${tag}-none`)).toBeNull();
      });

      it('agrees on one job when submits with one idempotency key race', async () => {
        const key = `submit-${tag}-race`;
        const jobs = await Promise.all([1, 2, 3, 4].map(() => store.createJob(newJob({ idempotencyKey: key }))));
        expect(new Set(jobs.map((j) => j.id)).size).toBe(1);
      });

      it('lists newest first, filters by state and honours the limit', async () => {
        const a = await store.createJob(newJob({ name: `list-${tag}-a` }));
        const b = await store.createJob(newJob({ name: `list-${tag}-b`, state: 'RUNNING' }));
        const c = await store.createJob(newJob({ name: `list-${tag}-c` }));
        const all = await store.listJobs();
        const ours = all.filter((j) => j.name.startsWith(`list-${tag}-`)).map((j) => j.id);
        expect(ours).toEqual([c.id, b.id, a.id]);
        expect(all[0]?.id).toBe(c.id);

        expect((await store.listJobs({ limit: 2 })).map((j) => j.id)).toEqual([c.id, b.id]);
        const queued = await store.listJobs({ states: ['QUEUED'] });
        expect(queued.every((j) => j.state === 'QUEUED')).toBe(true);
        expect(queued.map((j) => j.id)).toEqual(expect.arrayContaining([a.id, c.id]));
        expect(queued.map((j) => j.id)).not.toContain(b.id);
        const either = await store.listJobs({ states: ['QUEUED', 'RUNNING'], limit: 3 });
        expect(either.map((j) => j.id)).toEqual([c.id, b.id, a.id]);
        expect(await store.listJobs({ states: [] })).toHaveLength(all.length);
      });

      it('filters by a case-insensitive substring of the name, with the state filter and the limit', async () => {
        const x = await store.createJob(newJob({ name: `Nightly-${tag}-ResNet` }));
        const y = await store.createJob(newJob({ name: `nightly-${tag}-sonar`, state: 'RUNNING' }));
        await store.createJob(newJob({ name: `adhoc-${tag}-sonar` }));
        const pct = await store.createJob(newJob({ name: `odd-${tag}-50%_x` }));
        expect((await store.listJobs({ nameContains: `NIGHTLY-${tag}` })).map((j) => j.id)).toEqual([y.id, x.id]);
        expect((await store.listJobs({ nameContains: `${tag}-resnet` })).map((j) => j.id)).toEqual([x.id]);
        expect((await store.listJobs({ nameContains: `nightly-${tag}`, states: ['QUEUED'] })).map((j) => j.id)).toEqual([x.id]);
        expect((await store.listJobs({ nameContains: `nightly-${tag}`, limit: 1 })).map((j) => j.id)).toEqual([y.id]);
        // LIKE's pattern characters match only themselves.
        expect((await store.listJobs({ nameContains: `${tag}-50%_` })).map((j) => j.id)).toEqual([pct.id]);
        expect(await store.listJobs({ nameContains: `${tag}-5_%` })).toEqual([]);
        expect((await store.listJobs({ nameContains: '' })).length).toBe((await store.listJobs()).length);
      });

      it('updates only the fields in the patch', async () => {
        const job = await store.createJob(newJob({ idempotencyKey: `submit-${tag}-update` }));
        const startedAt = new Date(Date.UTC(2030, 5, 1, 12, 0, 0, 123));
        const updated = await store.updateJob(job.id, {
          state: 'RUNNING',
          reason: 'running on 2 workers',
          generation: 2,
          workerIds: ['w-b', 'w-a'],
          step: 40,
          epoch: 3,
          checkpointKey: `jobs/${job.id}/checkpoints/40/state.json`,
          attempts: 1,
          startedAt,
        });
        expect(updated).toEqual({
          ...job,
          state: 'RUNNING',
          reason: 'running on 2 workers',
          generation: 2,
          workerIds: ['w-b', 'w-a'],
          step: 40,
          epoch: 3,
          checkpointKey: `jobs/${job.id}/checkpoints/40/state.json`,
          attempts: 1,
          startedAt,
        });
        expect(await store.getJob(job.id)).toEqual(updated);

        const cleared = await store.updateJob(job.id, { checkpointKey: null, workerIds: [], spec: { replaced: 1 } });
        expect(cleared).toEqual({ ...updated, checkpointKey: null, workerIds: [], spec: { replaced: 1 } });
        expect(await store.updateJob(job.id, {})).toEqual(cleared);
      });

      it('rejects an update of an unknown job with JobNotFound', async () => {
        const jobId = `job-missing${tag}`;
        await expect(store.updateJob(jobId, { state: 'FAILED' })).rejects.toMatchObject({ error: { kind: 'JobNotFound', jobId } });
      });

      it('hands out copies: changing a returned record changes nothing stored', async () => {
        const job = await store.createJob(newJob());
        job.workerIds.push('w-x');
        (job.spec as { lr: number }).lr = 99;
        job.createdAt.setTime(0);
        const again = await store.getJob(job.id);
        expect(again?.workerIds).toEqual([]);
        expect((again?.spec as { lr: number }).lr).toBe(0.01);
        expect(again?.createdAt.getTime()).not.toBe(0);
      });
    });

    describe('events', () => {
      it('numbers events 1, 2, 3 per job and lists them in order', async () => {
        const job = await store.createJob(newJob());
        const other = await store.createJob(newJob());
        const first = await store.appendEvent({ jobId: job.id, kind: 'state', message: 'queued', state: 'QUEUED' });
        await store.appendEvent({ jobId: other.id, kind: 'info', message: 'other job' });
        const second = await store.appendEvent({ jobId: job.id, kind: 'worker_joined', message: 'w-1 joined', workerId: 'w-1' });
        const third = await store.appendEvent({ jobId: job.id, kind: 'info', message: 'hello', state: null, workerId: null });
        expect(first).toMatchObject({ jobId: job.id, seq: 1, kind: 'state', message: 'queued', state: 'QUEUED', workerId: null });
        expect(first.at).toBeInstanceOf(Date);
        expect(second).toMatchObject({ seq: 2, state: null, workerId: 'w-1' });
        expect(third.seq).toBe(3);
        expect(await store.listEvents(job.id)).toEqual([first, second, third]);
        expect(await store.listEvents(job.id, 1)).toEqual([second, third]);
        expect(await store.listEvents(job.id, 3)).toEqual([]);
        expect((await store.listEvents(other.id)).map((e) => e.seq)).toEqual([1]);
      });

      it('gives concurrent appends distinct, gapless numbers', async () => {
        const job = await store.createJob(newJob());
        const events = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.appendEvent({ jobId: job.id, kind: 'info', message: `event ${i}` })),
        );
        expect(events.map((e) => e.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        const listed = await store.listEvents(job.id);
        expect(listed.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect(new Set(listed.map((e) => e.message)).size).toBe(20);
      });

      it('rejects an event for an unknown job with JobNotFound and lists none', async () => {
        const jobId = `job-missing${tag}`;
        await expect(store.appendEvent({ jobId, kind: 'info', message: 'x' })).rejects.toMatchObject({ error: { kind: 'JobNotFound', jobId } });
        expect(await store.listEvents(jobId)).toEqual([]);
      });
    });

    describe('metrics', () => {
      const metric = (jobId: string, step: number, split: string, name: string, value: number): MetricRecord => ({
        jobId, step, epoch: Math.floor(step / 10), split, name, value, at: new Date(Date.UTC(2030, 0, 2, 0, 0, step)), workerId: step % 2 ? 'w-1' : null,
      });

      it('records metrics once per (job, step, split, name) and lists them by step', async () => {
        const job = await store.createJob(newJob());
        const batch = [
          metric(job.id, 20, 'train', 'loss', 0.4),
          metric(job.id, 10, 'train', 'loss', 0.7),
          metric(job.id, 10, 'train', 'accuracy', 0.6),
          metric(job.id, 20, 'test', 'accuracy', 0.81),
        ];
        await store.recordMetrics(batch);
        await store.recordMetrics(batch);
        await store.recordMetrics([metric(job.id, 10, 'train', 'loss', 123), metric(job.id, 30, 'train', 'loss', 0.3)]);
        await store.recordMetrics([]);
        expect(await store.listMetrics(job.id)).toEqual([
          metric(job.id, 10, 'train', 'accuracy', 0.6),
          metric(job.id, 10, 'train', 'loss', 0.7),
          metric(job.id, 20, 'test', 'accuracy', 0.81),
          metric(job.id, 20, 'train', 'loss', 0.4),
          metric(job.id, 30, 'train', 'loss', 0.3),
        ]);
      });

      it('rejects metrics for an unknown job with JobNotFound and records none of the batch', async () => {
        const job = await store.createJob(newJob());
        const jobId = `job-missing${tag}`;
        await expect(store.recordMetrics([metric(job.id, 1, 'train', 'loss', 1), metric(jobId, 1, 'train', 'loss', 1)]))
          .rejects.toMatchObject({ error: { kind: 'JobNotFound', jobId } });
        expect(await store.listMetrics(job.id)).toEqual([]);
      });
    });

    describe('workers', () => {
      const worker = (id: string, overrides: Partial<WorkerRecord> = {}): WorkerRecord => ({
        id,
        host: 'gpu-box-1',
        peerAddress: '10.0.0.7:7070',
        backend: 'wasm',
        device: 'cpu x8',
        state: 'IDLE',
        jobId: null,
        rank: null,
        lastHeartbeatAt: new Date(Date.UTC(2030, 0, 3, 1)),
        samplesPerSecond: 0,
        registeredAt: new Date(Date.UTC(2030, 0, 3)),
        ...overrides,
      });

      it('upserts, reads and lists workers by id', async () => {
        const b = worker(`w${tag}b`);
        const a = worker(`w${tag}a`, { state: 'BUSY', jobId: 'job-x', rank: 0, samplesPerSecond: 1234.5 });
        expect(await store.upsertWorker(b)).toEqual(b);
        expect(await store.upsertWorker(a)).toEqual(a);
        expect(await store.getWorker(a.id)).toEqual(a);
        expect(await store.getWorker(`w${tag}none`)).toBeNull();
        const ours = (await store.listWorkers()).filter((w) => w.id.startsWith(`w${tag}`));
        expect(ours).toEqual([a, b]);
      });

      it('replaces the whole record on a second upsert', async () => {
        const first = worker(`w${tag}c`, { state: 'BUSY', jobId: 'job-y', rank: 1 });
        await store.upsertWorker(first);
        const second = worker(`w${tag}c`, { host: 'gpu-box-2', backend: 'webgpu', lastHeartbeatAt: new Date(Date.UTC(2030, 0, 4)) });
        expect(await store.upsertWorker(second)).toEqual(second);
        expect(await store.getWorker(second.id)).toEqual(second);
      });

      it('updates only the fields in the patch', async () => {
        const w = worker(`w${tag}d`);
        await store.upsertWorker(w);
        const heartbeat = new Date(Date.UTC(2030, 0, 5));
        const busy = await store.updateWorker(w.id, { state: 'BUSY', jobId: 'job-z', rank: 2, lastHeartbeatAt: heartbeat, samplesPerSecond: 99.5 });
        expect(busy).toEqual({ ...w, state: 'BUSY', jobId: 'job-z', rank: 2, lastHeartbeatAt: heartbeat, samplesPerSecond: 99.5 });
        const lost = await store.updateWorker(w.id, { state: 'LOST', jobId: null, rank: null });
        expect(lost).toEqual({ ...busy, state: 'LOST', jobId: null, rank: null });
        expect(await store.getWorker(w.id)).toEqual(lost);
      });

      it('rejects an update of an unknown worker with WorkerNotFound', async () => {
        const workerId = `w${tag}none`;
        await expect(store.updateWorker(workerId, { state: 'LOST' })).rejects.toMatchObject({ error: { kind: 'WorkerNotFound', workerId } });
      });
    });

    describe('data sets', () => {
      const dataset = (name: string, sha: string, overrides: Partial<DatasetRecord> = {}): DatasetRecord => ({
        name,
        sha256: sha.repeat(64),
        kind: 'tabular-csv',
        sizeBytes: 87_776,
        manifestKey: `datasets/${name}/${sha.repeat(64)}/manifest.json`,
        summary: '208 rows x 61 columns',
        createdAt: new Date(Date.UTC(2030, 0, 6)),
        ...overrides,
      });

      it('keeps versions; the latest registered is the default', async () => {
        const name = `ds${tag}a`;
        const v1 = dataset(name, 'a');
        // Same createdAt on purpose: registration order, not the timestamp, decides which version is latest.
        const v2 = dataset(name, 'b', { sizeBytes: 6_000_000_000 });
        expect(await store.upsertDataset(v1)).toEqual(v1);
        expect(await store.getDataset(name)).toEqual(v1);
        expect(await store.upsertDataset(v2)).toEqual(v2);
        expect(await store.getDataset(name)).toEqual(v2);
        expect(await store.getDataset(name, v1.sha256)).toEqual(v1);
        expect(await store.getDataset(name, 'f'.repeat(64))).toBeNull();
        expect(await store.getDataset(`ds${tag}none`)).toBeNull();
      });

      it('treats registering a version again as a no-op that returns the stored record', async () => {
        const name = `ds${tag}b`;
        const v1 = dataset(name, 'c');
        const v2 = dataset(name, 'd');
        await store.upsertDataset(v1);
        await store.upsertDataset(v2);
        const again = await store.upsertDataset({ ...v1, summary: 'changed', createdAt: new Date(Date.UTC(2031, 0, 1)) });
        expect(again).toEqual(v1);
        expect(await store.getDataset(name)).toEqual(v2);
      });

      it('lists every version by name, latest version first', async () => {
        const x = `ds${tag}x`;
        const y = `ds${tag}y`;
        const y1 = dataset(y, '1');
        const x1 = dataset(x, '1');
        const y2 = dataset(y, '2');
        for (const d of [y1, x1, y2]) await store.upsertDataset(d);
        const ours = (await store.listDatasets()).filter((d) => d.name === x || d.name === y);
        expect(ours).toEqual([x1, y2, y1]);
      });
    });

    describe('API tokens', () => {
      it('finds a token by its secret hash', async () => {
        const secretHash = `${tag}${'1'.repeat(56)}`;
        await store.addApiToken({ name: 'ci', scope: 'join', secretHash });
        expect(await store.findApiToken(secretHash)).toEqual({ name: 'ci', scope: 'join', username: null, expiresAt: null });
        expect(await store.findApiToken(`${tag}${'2'.repeat(56)}`)).toBeNull();
      });

      it('ignores adding a hash that is already stored', async () => {
        const secretHash = `${tag}${'3'.repeat(56)}`;
        await store.addApiToken({ name: 'first', scope: 'api', secretHash });
        await store.addApiToken({ name: 'second', scope: 'join', secretHash });
        expect(await store.findApiToken(secretHash)).toEqual({ name: 'first', scope: 'api', username: null, expiresAt: null });
      });

      it('stores a session with its user and expiry, and hides it once revoked', async () => {
        const username = `u${tag}sess`;
        await store.createUser({ username, passwordHash: 'scrypt$x', role: 'member', createdAt: new Date(Date.UTC(2030, 0, 7)) });
        const secretHash = `${tag}${'4'.repeat(56)}`;
        const expiresAt = new Date(Date.UTC(2030, 0, 7, 12, 0, 0, 250));
        await store.addApiToken({ name: `session ${username}`, scope: 'session', secretHash, username, expiresAt });
        expect(await store.findApiToken(secretHash)).toEqual({ name: `session ${username}`, scope: 'session', username, expiresAt });
        await store.revokeApiToken(secretHash);
        expect(await store.findApiToken(secretHash)).toBeNull();
        await store.revokeApiToken(secretHash);
        await store.revokeApiToken(`${tag}${'5'.repeat(56)}`);
        expect(await store.findApiToken(secretHash)).toBeNull();
      });
    });

    describe('users', () => {
      const user = (username: string, role: 'admin' | 'member' = 'member') => ({
        username, passwordHash: `scrypt$16384$8$1$salt$${username}`, role, createdAt: new Date(Date.UTC(2030, 0, 8)),
      });

      it('creates, reads and lists users by name', async () => {
        const b = user(`u${tag}b`);
        const a = user(`u${tag}a`, 'admin');
        expect(await store.createUser(b)).toEqual(b);
        expect(await store.createUser(a)).toEqual(a);
        expect(await store.getUser(a.username)).toEqual(a);
        expect(await store.getUser(`u${tag}none`)).toBeNull();
        expect((await store.listUsers()).filter((u) => u.username.startsWith(`u${tag}`) && u.username.length === a.username.length)).toEqual([a, b]);
      });

      it('rejects a taken username with UserAlreadyExists, also when two creates race', async () => {
        const first = user(`u${tag}c`);
        await store.createUser(first);
        await expect(store.createUser({ ...first, role: 'admin' })).rejects.toMatchObject({ error: { kind: 'UserAlreadyExists', username: first.username } });
        expect(await store.getUser(first.username)).toEqual(first);
        const racing = user(`u${tag}d`);
        const results = await Promise.allSettled([1, 2, 3].map(() => store.createUser(racing)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ error: { kind: 'UserAlreadyExists' } });
      });
    });
  });
}
