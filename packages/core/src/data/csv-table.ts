/**
 * Numeric CSV tables with one string label column (UCI style: Sonar, Iris, ...). Rows and columns in errors are
 * 1-based and count lines of the file as a text editor shows them (a header, when present, is row 1).
 */

export type CsvError =
  | { kind: 'EmptyCsv'; file: string; message: string }
  | { kind: 'RaggedRow'; file: string; row: number; columns: number; expected: number; message: string }
  | { kind: 'NotANumber'; file: string; row: number; column: number; value: string; message: string }
  | { kind: 'MissingLabel'; file: string; row: number; column: number; message: string }
  | { kind: 'LabelColumnOutOfRange'; file: string; labelColumn: number; columns: number; message: string }
  | { kind: 'UnterminatedQuote'; file: string; row: number; message: string };

export interface CsvTable {
  /** Row-major features, `rowCount × featureCount`, in file order without the label column. */
  readonly features: Float32Array;
  /** One raw label per row. */
  readonly labels: readonly string[];
  readonly rowCount: number;
  readonly featureCount: number;
  /** Feature names from the header, else `column_<n>` with the 1-based file column. */
  readonly featureNames: readonly string[];
  /** 0-based index of the label column in the file. */
  readonly labelColumn: number;
}

export interface ParseCsvOptions {
  /** Name used in error messages, e.g. `sonar.csv`. */
  readonly fileName: string;
  /** Column holding the label; negative counts from the end (-1 = last). */
  readonly labelColumn?: number;
  /** Whether the first non-empty line is a header to skip. */
  readonly header?: boolean;
}

export type ParseCsvResult = { ok: true; table: CsvTable } | { ok: false; error: CsvError };

// A finite decimal number; stricter than Number(), which accepts '', '0x1f' and 'Infinity' (NaN/Infinity would
// poison training silently).
const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses the whole text in one pass. Blank lines are skipped (they keep their row number). Fields may be quoted
 * with `"` (doubled `""` inside), but a field may not span lines. Cost: one Float32Array of the features.
 */
export function parseCsvTable(text: string, options: ParseCsvOptions): ParseCsvResult {
  const file = options.fileName;
  const lines = text.split(/\r?\n/);
  let expected = -1;
  let labelColumn = -1;
  let featureNames: string[] = [];
  let headerPending = options.header === true;
  const labels: string[] = [];
  let values = new Float32Array(1024);
  let used = 0;

  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const row = index + 1;
    if (line.trim() === '') {
      continue;
    }
    const fields = splitFields(line);
    if (fields === null) {
      return fail({ kind: 'UnterminatedQuote', file, row, message: `${file} row ${row}: unterminated quote` });
    }
    if (expected < 0) {
      expected = fields.length;
      const requested = options.labelColumn ?? -1;
      labelColumn = requested < 0 ? expected + requested : requested;
      if (labelColumn < 0 || labelColumn >= expected) {
        return fail({
          kind: 'LabelColumnOutOfRange',
          file,
          labelColumn: requested,
          columns: expected,
          message: `${file}: label column ${requested} is outside the ${expected} columns of row ${row}`,
        });
      }
      featureNames = fields
        .map((name, column) => (headerPending ? name : `column_${column + 1}`))
        .filter((_, column) => column !== labelColumn);
    } else if (fields.length !== expected) {
      return fail({
        kind: 'RaggedRow',
        file,
        row,
        columns: fields.length,
        expected,
        message: `${file} row ${row}: ${fields.length} columns, expected ${expected}`,
      });
    }
    if (headerPending) {
      headerPending = false;
      continue;
    }
    if (used + expected > values.length) {
      const grown = new Float32Array(values.length * 2 + expected);
      grown.set(values);
      values = grown;
    }
    for (let column = 0; column < fields.length; column += 1) {
      const field = fields[column] ?? '';
      if (column === labelColumn) {
        if (field === '') {
          return fail({
            kind: 'MissingLabel',
            file,
            row,
            column: column + 1,
            message: `${file} row ${row}, column ${column + 1}: the label is empty`,
          });
        }
        labels.push(field);
        continue;
      }
      if (!numberPattern.test(field)) {
        return fail({
          kind: 'NotANumber',
          file,
          row,
          column: column + 1,
          value: field,
          message: `${file} row ${row}, column ${column + 1}: ${JSON.stringify(field)} is not a number`,
        });
      }
      values[used] = Number(field);
      used += 1;
    }
  }

  if (labels.length === 0) {
    return fail({ kind: 'EmptyCsv', file, message: `${file}: no data rows` });
  }
  const featureCount = expected - 1;
  return {
    ok: true,
    table: {
      features: values.slice(0, used),
      labels,
      rowCount: labels.length,
      featureCount,
      featureNames,
      labelColumn,
    },
  };
}

function fail(error: CsvError): ParseCsvResult {
  return { ok: false, error };
}

/** Splits one line into trimmed fields; null when a quote is left open. */
function splitFields(line: string): string[] | null {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"';
        i += 1;
      } else if (ch === '"') {
        quoted = false;
      } else {
        current += ch;
      }
    } else if (ch === '"' && current.trim() === '') {
      quoted = true;
      current = '';
    } else if (ch === ',') {
      fields.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (quoted) {
    return null;
  }
  fields.push(current.trim());
  return fields;
}
