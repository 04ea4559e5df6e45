/** What the viewer's case list can be sorted by: manifest order, or a prediction's Dice or IoU. */
export type CaseSort = 'manifest' | 'dice' | 'iou';
export type SortOrder = 'asc' | 'desc';

export interface ScoredCase {
  id: string;
  scored: boolean;
  dice: number;
  iou: number;
}

/** Reads `?sort=` and `?order=` leniently: anything unknown is manifest order, ascending (worst Dice first). */
export function caseSortOf(sort: string | undefined, order: string | undefined): { sort: CaseSort; order: SortOrder } {
  return { sort: sort === 'dice' || sort === 'iou' ? sort : 'manifest', order: order === 'desc' ? 'desc' : 'asc' };
}

/**
 * The cases in the order asked for, as a new array. Sorting by a score puts unscored cases (unlabeled, or not
 * predicted) last in either order, ties by id, so the worst (or best) predictions lead the list.
 */
export function sortCases<T extends ScoredCase>(cases: readonly T[], sort: CaseSort, order: SortOrder): T[] {
  if (sort === 'manifest') return order === 'asc' ? [...cases] : [...cases].reverse();
  const sign = order === 'asc' ? 1 : -1;
  return [...cases].sort((a, b) => {
    if (a.scored !== b.scored) return a.scored ? -1 : 1;
    const diff = a.scored ? (a[sort] - b[sort]) * sign : 0;
    return diff !== 0 ? diff : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}
