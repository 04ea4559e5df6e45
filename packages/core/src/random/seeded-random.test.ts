import { describe, expect, it } from 'vitest';
import { deriveSeed, SeededRandom } from './seeded-random.ts';

describe('SeededRandom', () => {
  it('repeats a sequence for a seed and resumes from saved state', () => {
    const a = SeededRandom.fromSeed(42);
    const b = SeededRandom.fromSeed(42);
    const first = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(first);
    const saved = a.saveState();
    const tail = Array.from({ length: 5 }, () => a.next());
    const resumed = SeededRandom.fromState(JSON.parse(JSON.stringify(saved)) as typeof saved);
    expect(Array.from({ length: 5 }, () => resumed.next())).toEqual(tail);
  });

  it('derives independent streams from keys', () => {
    expect(deriveSeed(1, 'epoch', 0)).not.toBe(deriveSeed(1, 'epoch', 1));
    expect(deriveSeed(1, 'epoch', 0)).not.toBe(deriveSeed(2, 'epoch', 0));
    expect(deriveSeed(1, 'epoch', 0)).toBe(deriveSeed(1, 'epoch', 0));
  });

  it('draws roughly uniform values in range', () => {
    const rng = SeededRandom.fromSeed(7);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i += 1) {
      const k = rng.nextInt(10);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const c of counts) {
      expect(c).toBeGreaterThan(900);
      expect(c).toBeLessThan(1100);
    }
  });

  it('produces permutations', () => {
    const p = SeededRandom.fromSeed(3).permutation(100);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
