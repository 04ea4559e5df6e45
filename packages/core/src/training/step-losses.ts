/** A step whose loss may still be on the device. */
export interface QueuedLoss {
  readonly step: number;
  readonly epoch: number;
  readonly loss: number | Promise<number>;
}

/** A step's loss, read. */
export interface ReadLoss {
  readonly step: number;
  readonly epoch: number;
  readonly loss: number;
}

/** How many steps' losses may be outstanding before the oldest is waited for. */
export const defaultLossWindow = 8;

/**
 * Steps' losses in the order their steps were queued, handed out once read. A loss still on the device (a single
 * rank on webgpu: see SynchronousUpdate.queueStep) is only waited for once `window` of them are outstanding, or when
 * the caller needs every one (at an epoch's end), so the CPU queues the next steps while the GPU runs this one.
 * Losses that are numbers already (every other path) come out at once, so those runs report exactly as before.
 */
export class StepLosses {
  private readonly queue: QueuedLoss[] = [];
  private readonly window: number;
  private takenSum = 0;
  private takenCount = 0;

  constructor(window = defaultLossWindow) {
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`loss window must be a positive integer, got ${window}`);
    this.window = window;
  }

  push(entry: QueuedLoss): void {
    // A stopped run leaves its last losses unread: their failures must not surface as unhandled rejections. Awaiting
    // the promise in take() still throws.
    if (typeof entry.loss !== 'number') entry.loss.catch(() => undefined);
    this.queue.push(entry);
  }

  /** Losses not yet read. */
  get outstanding(): number {
    return this.queue.filter((entry) => typeof entry.loss !== 'number').length;
  }

  /** The losses that are due, oldest first: all of them with `all`, else those known and any beyond the window. */
  async take(all = false): Promise<ReadLoss[]> {
    const out: ReadLoss[] = [];
    for (let head = this.queue[0]; head !== undefined; head = this.queue[0]) {
      if (typeof head.loss !== 'number' && !all && this.outstanding < this.window) break;
      this.queue.shift();
      const loss = await head.loss;
      this.takenSum += loss;
      this.takenCount += 1;
      out.push({ step: head.step, epoch: head.epoch, loss });
    }
    return out;
  }

  /** The mean of the losses taken since the last call (an epoch's training loss), and a fresh start. */
  meanSinceLast(): number {
    const mean = this.takenSum / this.takenCount;
    this.takenSum = 0;
    this.takenCount = 0;
    return mean;
  }
}
