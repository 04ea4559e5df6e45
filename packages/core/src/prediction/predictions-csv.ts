/**
 * The predictions CSV an image-prediction job writes: `id,label,probability`, one row per image, like a Kaggle
 * submission. `id` is the image's file name without its extension (`test1/1234.jpg` -> `1234`), as Kaggle numbers
 * its test images; `label` is the predicted class name; `probability` is the model's probability OF THAT LABEL (its
 * confidence, at least 0.5 for a two-class model). One meaning for two classes and for many; a Kaggle dogs-vs-cats
 * submission (the probability of `dog`, class 1) is `label === 'dog' ? p : 1 - p`.
 *
 * Rows are sorted by id: numerically when both ids are whole numbers (`2` before `10`, as Kaggle lists them), else
 * by UTF-16 code unit, so the file is the same however many workers predicted it.
 */

/** One predicted image. */
export interface PredictionRow {
  readonly id: string;
  readonly label: string;
  /** Probability of `label`, in [0, 1]. */
  readonly probability: number;
}

export const PREDICTIONS_CSV_HEADER = 'id,label,probability';

/** The CSV id of an image stored under `path` (`test1/1234.jpg` -> `1234`; `a/b.c.png` -> `b.c`). */
export function predictionId(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

const WHOLE_NUMBER = /^[0-9]+$/;

/** Id order of the CSV: whole numbers by value (ties by text, `01` vs `1`), everything else by code unit after them. */
export function comparePredictionIds(a: string, b: string): number {
  const numA = WHOLE_NUMBER.test(a);
  const numB = WHOLE_NUMBER.test(b);
  if (numA && numB) {
    // Compare digit strings without leading zeros by length, then text: exact for any length (no float rounding).
    const [x, y] = [a.replace(/^0+(?=.)/, ''), b.replace(/^0+(?=.)/, '')];
    return x.length - y.length || compareText(x, y) || compareText(a, b);
  }
  if (numA !== numB) return numA ? -1 : 1;
  return compareText(a, b);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** RFC 4180: a field holding a comma, quote, CR or LF is quoted, with quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * The CSV text of `rows` (header first, `\n` line ends, a final newline), sorted by {@link comparePredictionIds}.
 * Probabilities are written with 6 decimals: more than a float32 softmax carries meaningfully, and fixed width
 * keeps 12,500 Kaggle rows at about 250 KB.
 */
export function formatPredictionsCsv(rows: readonly PredictionRow[]): string {
  const sorted = [...rows].sort((x, y) => comparePredictionIds(x.id, y.id));
  const lines = [PREDICTIONS_CSV_HEADER];
  for (const row of sorted) {
    if (!(row.probability >= 0 && row.probability <= 1)) throw new RangeError(`probability of '${row.id}' is ${row.probability}, not in [0, 1]`);
    lines.push(`${csvField(row.id)},${csvField(row.label)},${row.probability.toFixed(6)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Splits one CSV line into fields (RFC 4180 quoting); the line holds no unquoted line break. */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

/**
 * Reads a predictions CSV back (for clients and tests). Throws naming the line at fault. Quoted fields may not span
 * lines: ids and class names come from file and folder names, which hold no line breaks.
 */
export function parsePredictionsCsv(text: string): PredictionRow[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== PREDICTIONS_CSV_HEADER) throw new Error(`line 1: expected the header '${PREDICTIONS_CSV_HEADER}', got '${lines[0] ?? ''}'`);
  return lines.slice(1).map((line, index) => {
    const fields = splitCsvLine(line);
    const [id, label, probability] = fields;
    const p = Number(probability);
    if (fields.length !== 3 || id === undefined || label === undefined || probability === '' || !(p >= 0 && p <= 1)) {
      throw new Error(`line ${index + 2}: expected id,label,probability with a probability in [0, 1], got '${line}'`);
    }
    return { id, label, probability: p };
  });
}
