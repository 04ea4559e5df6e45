import { describe, expect, it } from 'vitest';
import { StepLosses } from './step-losses.ts';

/** A promise and its resolver, to play a loss still on the device. */
function deferred(): { promise: Promise<number>; resolve: (v: number) => void; reject: (e: Error) => void } {
  let resolve!: (v: number) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<number>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('StepLosses', () => {
  it('hands out losses that are numbers at once, in order', async () => {
    const losses = new StepLosses(3);
    losses.push({ step: 1, epoch: 1, loss: 0.5 });
    expect(await losses.take()).toEqual([{ step: 1, epoch: 1, loss: 0.5 }]);
    losses.push({ step: 2, epoch: 1, loss: 0.4 });
    losses.push({ step: 3, epoch: 1, loss: 0.3 });
    expect((await losses.take()).map((l) => l.step)).toEqual([2, 3]);
    expect(await losses.take()).toEqual([]);
  });

  it('leaves up to the window of device losses outstanding, then reads the oldest first', async () => {
    const losses = new StepLosses(2);
    const [a, b, c] = [deferred(), deferred(), deferred()];
    losses.push({ step: 1, epoch: 1, loss: a.promise });
    expect(await losses.take()).toEqual([]);
    losses.push({ step: 2, epoch: 1, loss: b.promise });
    // Two outstanding = the window: the oldest is awaited.
    a.resolve(0.9);
    expect(await losses.take()).toEqual([{ step: 1, epoch: 1, loss: 0.9 }]);
    expect(losses.outstanding).toBe(1);
    losses.push({ step: 3, epoch: 2, loss: c.promise });
    b.resolve(0.8);
    c.resolve(0.7);
    expect(await losses.take(true)).toEqual([
      { step: 2, epoch: 1, loss: 0.8 },
      { step: 3, epoch: 2, loss: 0.7 },
    ]);
    expect(losses.outstanding).toBe(0);
  });

  it('keeps order when a known loss follows an outstanding one', async () => {
    const losses = new StepLosses(4);
    const a = deferred();
    losses.push({ step: 1, epoch: 1, loss: a.promise });
    losses.push({ step: 2, epoch: 1, loss: 0.2 });
    expect(await losses.take()).toEqual([]);
    a.resolve(0.1);
    expect((await losses.take(true)).map((l) => l.loss)).toEqual([0.1, 0.2]);
  });

  it('throws a failed read when it is taken, and never as an unhandled rejection before', async () => {
    const losses = new StepLosses(4);
    const a = deferred();
    losses.push({ step: 1, epoch: 1, loss: a.promise });
    a.reject(new Error('device lost'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(losses.take(true)).rejects.toThrow('device lost');
  });

  it('gives the mean of the losses taken since the last call', async () => {
    const losses = new StepLosses(4);
    losses.push({ step: 1, epoch: 1, loss: 0.5 });
    losses.push({ step: 2, epoch: 1, loss: Promise.resolve(0.3) });
    await losses.take(true);
    expect(losses.meanSinceLast()).toBeCloseTo(0.4, 12);
    losses.push({ step: 3, epoch: 2, loss: 0.1 });
    await losses.take();
    expect(losses.meanSinceLast()).toBeCloseTo(0.1, 12);
  });

  it('refuses a window that is not a positive integer', () => {
    expect(() => new StepLosses(0)).toThrow(/loss window must be a positive integer, got 0/);
  });
});
