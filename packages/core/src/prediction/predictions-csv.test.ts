import { describe, expect, it } from 'vitest';
import { comparePredictionIds, formatPredictionsCsv, parsePredictionsCsv, predictionId } from './predictions-csv.ts';

describe('predictionId', () => {
  it('is the file name without its extension, as Kaggle numbers its test images', () => {
    expect(predictionId('test1/1234.jpg')).toBe('1234');
    expect(predictionId('valid/cats/cat.1001.jpg')).toBe('cat.1001');
    expect(predictionId('test/unknown/x.y.PNG')).toBe('x.y');
    expect(predictionId('noext')).toBe('noext');
    expect(predictionId('test/.hidden')).toBe('.hidden');
  });
});

describe('comparePredictionIds', () => {
  it('orders whole numbers by value, then everything else by code unit', () => {
    const ids = ['10', 'cat.2', '2', '007', '7', '1', 'Dog', '12345678901234567890', '100', 'cat.10'];
    expect([...ids].sort(comparePredictionIds)).toEqual(['1', '2', '007', '7', '10', '100', '12345678901234567890', 'Dog', 'cat.10', 'cat.2']);
  });
});

describe('formatPredictionsCsv', () => {
  it('writes id,label,probability sorted by id with 6 decimals and a final newline', () => {
    const csv = formatPredictionsCsv([
      { id: '10', label: 'dog', probability: 0.9 },
      { id: '2', label: 'cat', probability: 0.51234567 },
      { id: '1', label: 'dog', probability: 1 },
    ]);
    expect(csv).toBe('id,label,probability\n1,dog,1.000000\n2,cat,0.512346\n10,dog,0.900000\n');
  });

  it('quotes fields holding commas or quotes and reads them back', () => {
    const rows = [
      { id: 'a,b', label: 'say "hi"', probability: 0.25 },
      { id: 'plain', label: 'x', probability: 0.75 },
    ];
    const csv = formatPredictionsCsv(rows);
    expect(csv).toBe('id,label,probability\n"a,b","say ""hi""",0.250000\nplain,x,0.750000\n');
    expect(parsePredictionsCsv(csv)).toEqual(rows);
  });

  it('writes only the header for no rows', () => {
    expect(formatPredictionsCsv([])).toBe('id,label,probability\n');
    expect(parsePredictionsCsv('id,label,probability\n')).toEqual([]);
  });

  it('refuses a probability outside [0, 1] naming the id', () => {
    expect(() => formatPredictionsCsv([{ id: '3', label: 'cat', probability: Number.NaN }])).toThrow("probability of '3' is NaN");
    expect(() => formatPredictionsCsv([{ id: '4', label: 'cat', probability: 1.5 }])).toThrow(/'4' is 1\.5/);
  });
});

describe('parsePredictionsCsv', () => {
  it('names the line at fault', () => {
    expect(() => parsePredictionsCsv('id,label\n')).toThrow("line 1: expected the header 'id,label,probability'");
    expect(() => parsePredictionsCsv('id,label,probability\n1,dog,0.5\n2,cat\n')).toThrow("line 3: expected id,label,probability with a probability in [0, 1], got '2,cat'");
    expect(() => parsePredictionsCsv('id,label,probability\n1,dog,2\n')).toThrow(/line 2/);
  });
});
