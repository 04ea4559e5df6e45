import { describe, expect, it } from 'vitest';
import { parseCsvTable } from './csv-table.ts';

const file = 'sonar.csv';

describe('parseCsvTable', () => {
  it('reads features row-major and the label from the last column', () => {
    const result = parseCsvTable('0.1,0.2,R\r\n0.3,0.4,M\n\n', { fileName: file });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Array.from(result.table.features)).toEqual([0.1, 0.2, 0.3, 0.4].map(Math.fround));
    expect(result.table.labels).toEqual(['R', 'M']);
    expect(result.table).toMatchObject({ rowCount: 2, featureCount: 2, labelColumn: 2 });
  });

  it('takes the label from any column and skips a header', () => {
    const result = parseCsvTable('kind,a,b\n"x, y",1,2\n', { fileName: file, labelColumn: 0, header: true });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.table.labels).toEqual(['x, y']);
    expect(result.table.featureNames).toEqual(['a', 'b']);
    expect(Array.from(result.table.features)).toEqual([1, 2]);
  });

  it('names the row of a ragged row (1-based, counting blank lines)', () => {
    const lines = Array.from({ length: 11 }, () => '1,2,3,R');
    lines[5] = '';
    lines.push('1,2,R');
    const result = parseCsvTable(lines.join('\n'), { fileName: file });
    expect(result).toEqual({
      ok: false,
      error: {
        kind: 'RaggedRow',
        file,
        row: 12,
        columns: 3,
        expected: 4,
        message: 'sonar.csv row 12: 3 columns, expected 4',
      },
    });
  });

  it('names the row and column of a non-numeric feature', () => {
    const lines = Array.from({ length: 12 }, () => '1,2,3,4,5,6,R');
    lines[11] = '1,2,3,4,abc,6,R';
    const result = parseCsvTable(lines.join('\n'), { fileName: file });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'NotANumber', row: 12, column: 5, value: 'abc' });
    expect(result.error.message).toBe('sonar.csv row 12, column 5: "abc" is not a number');
  });

  it.each([
    ['', 'EmptyCsv'],
    ['1,2,R\n1,,R', 'NotANumber'],
    ['1,2,R\n1,Infinity,R', 'NotANumber'],
    ['1,2,\n', 'MissingLabel'],
    ['1,"2,R\n', 'UnterminatedQuote'],
  ])('rejects %j as %s', (text, kind) => {
    const result = parseCsvTable(text, { fileName: file });
    expect(result.ok ? undefined : result.error.kind).toBe(kind);
  });

  it('rejects a label column outside the row', () => {
    const result = parseCsvTable('1,2,R\n', { fileName: file, labelColumn: 3 });
    expect(result.ok ? undefined : result.error.kind).toBe('LabelColumnOutOfRange');
  });
});
