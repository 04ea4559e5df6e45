import { runCoordinatorProcess } from './coordinator-process.ts';

await runCoordinatorProcess();
