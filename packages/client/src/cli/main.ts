import path from 'node:path';
import { parseArgs } from 'node:util';
import { TesseraClient } from '../tessera-client.ts';
import { TesseraClientError } from '../client-error.ts';
import {
  cancelCommand, datasetListCommand, datasetRegisterCommand, datasetUploadCommand, listCommand, UPLOAD_KINDS, statusCommand, submitCommand, userCreateCommand, userListCommand,
  watchCommand, workersCommand,
} from './commands.ts';
import type { UploadKind } from './commands.ts';
import { resolveConnection } from './connection.ts';
import { predictCommand, resultCommand } from './prediction-commands.ts';
import { quickstartCommand, upCommand } from './cluster-commands.ts';

const USAGE = `tessera — distributed training cluster

Usage:
  tessera quickstart [--workers 2] [--mirror DIR] [--keep]   start a local cluster and dashboard, train the Sonar MLP,
                                                             print results (--keep: stay up afterwards)
  tessera up [--workers 2] [--backend auto]                  run a local cluster and dashboard until Ctrl-C
    (both: --no-dashboard, --dashboard-port 3000 (0: any free port))
  tessera submit SPEC.yaml|SPEC.json [--watch]               submit a job spec (any workload: tabular-classification,
                                                             image-classification, image-prediction)
  tessera predict --checkpoint JOB_ID[@STEP] --dataset NAME  classify an image data set with a training job's checkpoint
      [--split test|valid|train] [--out KEY] [--workers 1]   (latest unless @STEP) into a CSV id,label,probability;
      [--name NAME] [--watch] [--download FILE.csv]          --download waits for it and saves the CSV. With a
      [--threshold 0.5]                                      segmentation job's checkpoint: masks (NIfTI), overlays
                                                             (PNG) and summary.json under --out PREFIX (default
                                                             jobs/<id>/predictions); --download saves summary.json
  tessera result JOB_ID [--download FILE]                    a finished prediction job's CSV or summary.json
  tessera list                                               list jobs
  tessera status JOB_ID                                      show one job with its latest metrics
  tessera watch JOB_ID                                       follow a job with a progress bar until it ends
  tessera cancel JOB_ID [--reason TEXT]                      cancel a queued or running job
  tessera workers                                            list workers
  tessera dataset upload NAME FILE|DIR [--image-size 224]    upload and register a data set: a CSV, or a zip (or a
      [--kind image-folder|segmentation]                     folder, zipped first) of class folders (train/<class>/
                                                             *.jpg, valid/...) or of images to predict (test1/*.jpg,
                                                             or a flat folder); --kind segmentation: images/ and
                                                             masks/ of PNG/TIFF slices (--image-size, default 256),
                                                             NIfTI volumes or DICOM case folders (de-identified by
                                                             the coordinator before anything is stored);
      [--class-name lung] [--modality CT]                    the mask's class and the images' modality
  tessera dataset register NAME SHA256                        register a data set already placed in the object store
  tessera dataset list                                       list data sets
  tessera user create NAME [--admin]                         create a dashboard user (password: TESSERA_NEW_PASSWORD,
                                                             else a random one, printed once)
  tessera user list                                          list users

Connection: --coordinator host:port (or TESSERA_COORDINATOR), --token (or TESSERA_API_TOKEN); both default to
the embedded cluster's files under --data-dir (default .tessera, or TESSERA_DATA_DIR).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      coordinator: { type: 'string' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
      // Cluster commands default to 2 local workers; predict to 1 worker.
      workers: { type: 'string' },
      backend: { type: 'string' },
      mirror: { type: 'string', multiple: true },
      seed: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'no-dashboard': { type: 'boolean', default: false },
      'dashboard-port': { type: 'string', default: '3000' },
      'image-size': { type: 'string' },
      kind: { type: 'string' },
      'class-name': { type: 'string' },
      modality: { type: 'string' },
      admin: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
      reason: { type: 'string', default: '' },
      checkpoint: { type: 'string' },
      dataset: { type: 'string' },
      split: { type: 'string' },
      out: { type: 'string' },
      threshold: { type: 'string' },
      name: { type: 'string' },
      download: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE + '\n');
    return command || values.help ? 0 : 2;
  }
  const dataDir = path.resolve(values['data-dir'] ?? process.env.TESSERA_DATA_DIR ?? '.tessera');
  const workers = Number(values.workers ?? (command === 'predict' ? '1' : '2'));
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`--workers must be a positive integer, got "${values.workers}"`);
  const need = (n: number, what: string) => {
    if (args.length < n) throw new Error(`usage: tessera ${command} ${what}`);
  };

  const dashboardPort = Number(values['dashboard-port']);
  if (!Number.isInteger(dashboardPort) || dashboardPort < 0 || dashboardPort > 65535) throw new Error(`--dashboard-port must be a port number, got "${values['dashboard-port']}"`);
  const cluster = { dataDir, workers, backend: values.backend, dashboard: !values['no-dashboard'], dashboardPort };
  if (command === 'up') return upCommand(cluster);
  if (command === 'quickstart') {
    return quickstartCommand({ ...cluster, mirrors: values.mirror ?? [], keep: values.keep, seed: values.seed ? Number(values.seed) : undefined });
  }

  const connection = await resolveConnection({ coordinator: values.coordinator, token: values.token, dataDir }, process.env);
  const client = new TesseraClient(connection);
  try {
    switch (command) {
      case 'submit':
        need(1, 'SPEC_FILE [--watch]');
        return await submitCommand(client, args[0]!, values.watch);
      case 'list':
        return await listCommand(client);
      case 'status':
        need(1, 'JOB_ID');
        return await statusCommand(client, args[0]!);
      case 'watch':
        need(1, 'JOB_ID');
        return await watchCommand(client, args[0]!);
      case 'cancel':
        need(1, 'JOB_ID');
        return await cancelCommand(client, args[0]!, values.reason);
      case 'workers':
        return await workersCommand(client);
      case 'predict':
        if (!values.checkpoint || !values.dataset) throw new Error('usage: tessera predict --checkpoint JOB_ID[@STEP] --dataset NAME [--split S] [--out KEY] [--threshold P] [--download FILE]');
        return await predictCommand(client, {
          checkpoint: values.checkpoint,
          dataset: values.dataset,
          split: values.split,
          out: values.out,
          ...(values.threshold === undefined ? {} : { threshold: Number(values.threshold) }),
          name: values.name,
          workers,
          watch: values.watch,
          download: values.download,
        });
      case 'result':
        need(1, 'JOB_ID [--download FILE]');
        return await resultCommand(client, args[0]!, values.download);
      case 'dataset':
        if (args[0] === 'upload') {
          need(3, 'upload NAME FILE');
          const kind = values.kind as UploadKind | undefined;
          if (kind !== undefined && !UPLOAD_KINDS.includes(kind)) throw new Error(`--kind must be one of ${UPLOAD_KINDS.join(', ')}, got "${kind}"`);
          const imageSize = Number(values['image-size'] ?? (kind === 'segmentation' ? '256' : '224'));
          if (!Number.isInteger(imageSize) || imageSize < 8 || imageSize > 1024) throw new Error(`--image-size must be 8..1024 pixels, got "${values['image-size']}"`);
          const className = values['class-name'];
          const modality = values.modality;
          if (kind !== 'segmentation' && (className !== undefined || modality !== undefined)) {
            throw new Error('--class-name and --modality describe segmentation uploads (--kind segmentation)');
          }
          return await datasetUploadCommand(client, args[1]!, args[2]!, {
            imageSize,
            ...(kind === undefined ? {} : { kind }),
            ...(className === undefined ? {} : { className }),
            ...(modality === undefined ? {} : { modality }),
          });
        }
        if (args[0] === 'register') {
          need(3, 'register NAME SHA256');
          return await datasetRegisterCommand(client, args[1]!, args[2]!);
        }
        if (args[0] === 'list') return await datasetListCommand(client);
        throw new Error('usage: tessera dataset upload NAME FILE | tessera dataset register NAME SHA256 | tessera dataset list');
      case 'user':
        if (args[0] === 'create') {
          need(2, 'create NAME [--admin]');
          return await userCreateCommand(client, args[1]!, values.admin, process.env);
        }
        if (args[0] === 'list') return await userListCommand(client);
        throw new Error('usage: tessera user create NAME [--admin] | tessera user list');
      default:
        throw new Error(`unknown command "${command}" (tessera --help lists them)`);
    }
  } finally {
    client.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof TesseraClientError ? `${err.kind}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`tessera: ${message}\n`);
    process.exit(1);
  },
);
