import * as grpc from '@grpc/grpc-js';
import { contracts } from '@tessera/proto/contracts';

/**
 * A coordinator stand-in for the dashboard benchmark: the public JobService and AuthService answered from memory,
 * so the numbers are the dashboard's and the browser's, not the job store's or a training run's. It serves `jobs`
 * synthetic jobs, one job (`bench-job`) whose watch replays `historyPoints` step-loss metrics and then sends one
 * more metric each time `emitStep` is called.
 */
export interface FakeCoordinator {
  address: string;
  jobId: string;
  /** Sends one live step metric to every open watch of the bench job. */
  emitStep(): void;
  close(): Promise<void>;
}

const NOW = new Date().toISOString();

export async function startFakeCoordinator(options: { jobs: number; historyPoints: number }): Promise<FakeCoordinator> {
  const { jobs: jobsProto, auth } = contracts();
  const jobId = 'bench-job';
  const totalSteps = options.historyPoints * 10;
  let step = options.historyPoints;
  const job = (id: string, i: number) => ({
    id,
    name: id === jobId ? 'bench-live' : `bench-${String(i).padStart(4, '0')}`,
    state: i % 3 === 0 ? 'JOB_STATE_SUCCEEDED' : 'JOB_STATE_RUNNING',
    reason: '',
    priority: 0,
    specJson: '{}',
    minWorkers: 2,
    maxWorkers: 2,
    generation: 1,
    workerIds: ['w-0', 'w-1'],
    step: id === jobId ? step : 500,
    totalSteps: id === jobId ? totalSteps : 1000,
    epoch: 1,
    totalEpochs: 10,
    checkpointKey: '',
    latestMetrics: {},
    createdAt: NOW,
    startedAt: NOW,
    endedAt: '',
    dataset: 'sonar',
  });
  const allJobs = [job(jobId, 1), ...Array.from({ length: options.jobs - 1 }, (_, i) => job(`job-${i}`, i))];
  const watchers = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  const metric = (s: number) => ({ metric: { jobId, step: s, epoch: 0, split: 'train', name: 'step_loss', value: 1 / (1 + s / 100), at: new Date().toISOString(), workerId: 'w-0' } });

  const server = new grpc.Server();
  const unary = <Req, Res>(fn: (req: Req) => Res) => (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => callback(null, fn(call.request));
  server.addService(jobsProto.tessera.jobs.v1.JobService.service, {
    ListJobs: unary(() => ({ jobs: allJobs })),
    GetJob: unary(() => job(jobId, 1)),
    ListWorkers: unary(() => ({
      workers: ['w-0', 'w-1'].map((id, rank) => ({ id, host: 'bench', backend: 'cpu', device: '', state: 'WORKER_STATE_BUSY', jobId, rank, lastHeartbeatAt: NOW, peerAddress: '', samplesPerSecond: 1000 })),
    })),
    ListCheckpoints: unary(() => ({ checkpoints: [] })),
    ListDatasets: unary(() => ({ datasets: [] })),
    WatchJob: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      call.write({ job: job(jobId, 1) });
      for (let s = 1; s <= options.historyPoints; s++) call.write(metric(s));
      watchers.add(call);
      call.on('cancelled', () => watchers.delete(call));
    },
  });
  server.addService(auth.tessera.auth.v1.AuthService.service, {
    Login: unary(() => ({ sessionToken: 'bench-session', expiresAt: new Date(Date.now() + 3600_000).toISOString(), user: { username: 'bench', role: 'admin', createdAt: NOW } })),
    Logout: unary(() => ({})),
    WhoAmI: unary(() => ({ username: 'bench', role: 'admin', tokenKind: 'session', expiresAt: '' })),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    jobId,
    emitStep: () => {
      step++;
      for (const call of watchers) call.write(metric(step));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const call of watchers) call.end();
        server.tryShutdown(() => resolve());
      }),
  };
}
