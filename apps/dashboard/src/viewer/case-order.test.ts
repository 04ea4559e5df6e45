import { describe, expect, it } from 'vitest';
import { caseSortOf, sortCases } from './case-order.ts';

const cases = [
  { id: 'c', scored: true, dice: 0.9, iou: 0.8 },
  { id: 'a', scored: false, dice: 0, iou: 0 },
  { id: 'b', scored: true, dice: 0.5, iou: 0.3 },
  { id: 'd', scored: true, dice: 0.5, iou: 0.35 },
];

describe('sortCases', () => {
  it('orders by Dice, worst first or best first, with unscored cases last and ties by id', () => {
    expect(sortCases(cases, 'dice', 'asc').map((c) => c.id)).toEqual(['b', 'd', 'c', 'a']);
    expect(sortCases(cases, 'dice', 'desc').map((c) => c.id)).toEqual(['c', 'b', 'd', 'a']);
    expect(sortCases(cases, 'iou', 'desc').map((c) => c.id)).toEqual(['c', 'd', 'b', 'a']);
  });

  it('keeps (or reverses) manifest order, and never changes its input', () => {
    expect(sortCases(cases, 'manifest', 'asc').map((c) => c.id)).toEqual(['c', 'a', 'b', 'd']);
    expect(sortCases(cases, 'manifest', 'desc').map((c) => c.id)).toEqual(['d', 'b', 'a', 'c']);
    expect(cases.map((c) => c.id)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('reads unknown query values as manifest order, ascending', () => {
    expect(caseSortOf('dice', 'desc')).toEqual({ sort: 'dice', order: 'desc' });
    expect(caseSortOf('name', 'sideways')).toEqual({ sort: 'manifest', order: 'asc' });
    expect(caseSortOf(undefined, undefined)).toEqual({ sort: 'manifest', order: 'asc' });
  });
});
