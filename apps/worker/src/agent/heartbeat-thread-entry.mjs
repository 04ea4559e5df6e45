// Entry of the heartbeat thread (see heartbeats.ts). Worker threads do not inherit the tsx loader the worker process
// was started with (Node 20 runs a thread's --import hooks too late for its entry file), so register it here and
// then load the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./heartbeat-thread.ts');
