/**
 * A CSV reader for numeric tables: features → float32 `[rows, features]`, an optional label
 * column → float32 (or int32 when every label is an integer).
 *
 * Handles `\r\n` / `\n` / `\r` line ends, a byte-order mark, blank lines, and quoted fields
 * (`"a,b"`, `""` for a quote inside quotes, line breaks inside quotes). Errors name the line
 * (1-based, as an editor shows it) and the column (1-based, and its header name when there is one).
 */
import { Tensor, checkBoolean, checkOptions, describe } from '../tensor.ts';

export interface CsvOptions {
  /**
   * Whether the first row holds column names. Default: auto — yes when every non-empty cell of
   * it is text, no when every one is a number; a first row that mixes both (a header with a
   * numeric name, or a data row with a typo) is ambiguous and needs `header` said explicitly.
   */
  header?: boolean;
  /** TF.js's name for `header`. */
  hasHeader?: boolean;
  /** One character; default `','`. */
  delimiter?: string;
  /** The label column, by header name or 0-based index (negative counts from the end: -1 is the last). */
  labelColumn?: string | number;
  /** The feature columns to keep, in this order, by header name or 0-based index. Default: every column but the label. */
  columns?: readonly (string | number)[];
}

export interface CsvResult {
  /** float32 `[rows, features]`. */
  xs: Tensor<'float32'>;
  /** The label column `[rows]`: int32 when every value is an integer that fits, else float32. */
  ys?: Tensor;
  /** The names of the feature columns, in `xs` order (the header's, or `'0'`, `'1'`, … without one). */
  columnNames: string[];
  /** The label column's name, when there is a label column. */
  labelName?: string;
}

interface Row {
  line: number;
  fields: string[];
}

/** Splits text into records of fields. Skips blank lines. */
function parseRecords(text: string, delim: string): Row[] {
  const rows: Row[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const d = delim.charCodeAt(0);
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let blank = true;
    for (;;) {
      // One field.
      let value = '';
      let j = i;
      // Leading spaces before an opening quote are allowed.
      while (j < n && (text[j] === ' ' || text[j] === '\t') && text.charCodeAt(j) !== d) j++;
      if (j < n && text[j] === '"') {
        blank = false;
        j++;
        const quoteLine = line;
        let closed = false;
        while (j < n) {
          const c = text[j];
          if (c === '"') {
            if (text[j + 1] === '"') {
              value += '"';
              j += 2;
              continue;
            }
            j++;
            closed = true;
            break;
          }
          if (c === '\n' || (c === '\r' && text[j + 1] !== '\n')) line++;
          value += c;
          j++;
        }
        if (!closed) throw new Error(`csv: line ${quoteLine}, column ${fields.length + 1}: a quoted field is never closed (expected a closing ")`);
        // Only spaces may follow the closing quote before the delimiter / line end.
        while (j < n && (text[j] === ' ' || text[j] === '\t') && text.charCodeAt(j) !== d) j++;
        if (j < n && text.charCodeAt(j) !== d && text[j] !== '\n' && text[j] !== '\r') {
          throw new Error(`csv: line ${line}, column ${fields.length + 1}: expected ${JSON.stringify(delim)} or a line end after a closing quote, got ${JSON.stringify(text[j])}`);
        }
        i = j;
      } else {
        let k = i;
        while (k < n && text.charCodeAt(k) !== d && text[k] !== '\n' && text[k] !== '\r') k++;
        value = text.slice(i, k);
        if (value.trim() !== '') blank = false;
        i = k;
      }
      fields.push(value);
      if (i < n && text.charCodeAt(i) === d) {
        blank = false;
        i++;
        continue;
      }
      // Line end (or end of text).
      if (i < n && text[i] === '\r') i++;
      if (i < n && text[i] === '\n') i++;
      line++;
      break;
    }
    if (!blank) rows.push({ line: startLine, fields });
  }
  return rows;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity };

/** A decimal number (or NaN / Infinity spelled out); undefined for anything else, including an empty cell. */
function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (NUMBER.test(t)) return Number(t);
  const sp = SPECIAL[t.toLowerCase()];
  return sp;
}

/**
 * Whether the first row is a header: yes when all its non-empty cells are text, no when all are
 * numbers. A mix is ambiguous — a typo in the first data row would otherwise turn it into a
 * header silently — and is an error that names the cells and asks for `header`.
 */
function detectHeader(first: Row): boolean {
  const text: number[] = [];
  const numbers: number[] = [];
  first.fields.forEach((f, i) => {
    if (f.trim() === '') return;
    (parseNumber(f) === undefined ? text : numbers).push(i);
  });
  if (text.length === 0) return false;
  if (numbers.length === 0) return true;
  const show = (cols: number[]) => cols.slice(0, 3).map((c) => `column ${c + 1} ${describe(first.fields[c].trim())}`).join(', ') + (cols.length > 3 ? ', …' : '');
  throw new Error(
    `csv: the first row (line ${first.line}) mixes text (${show(text)}) and numbers (${show(numbers)}), so it is unclear whether it is a header: ` +
      'pass header: true if it is one, or header: false if it is data (then fix its text cells)',
  );
}

function resolveColumn(spec: string | number, names: string[] | undefined, width: number, what: string): number {
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec >= width || spec < -width) {
      throw new RangeError(`csv: ${what}: expected a column index in [${-width}, ${width - 1}] (the table has ${width} columns), got ${spec}`);
    }
    return spec < 0 ? width + spec : spec;
  }
  if (typeof spec !== 'string') throw new TypeError(`csv: ${what}: expected a column name or index, got ${describe(spec)}`);
  if (!names) throw new Error(`csv: ${what}: the column name ${JSON.stringify(spec)} needs a header row, and this table has none (pass header: true, or use a 0-based index)`);
  const idx = names.indexOf(spec);
  if (idx < 0) throw new Error(`csv: ${what}: expected one of the header's columns (${names.map((n) => JSON.stringify(n)).join(', ')}), got ${JSON.stringify(spec)}`);
  return idx;
}

/** A lone line that reads as a file name or path rather than a table. */
function looksLikePath(text: string, delim: string): boolean {
  const t = text.trim();
  if (t === '' || /[\r\n]/.test(t) || t.includes(delim)) return false;
  return /\.(csv|tsv|txt|data|dat)$/i.test(t) || /^(file:|\.{0,2}[\\/]|~[\\/]|[A-Za-z]:[\\/])/.test(t);
}

/**
 * Reads a numeric CSV table into tensors. `text` is the CSV text itself, not a path: read the
 * file first (`fs.readFileSync(path, 'utf8')` in Node, `await (await fetch(url)).text()` elsewhere).
 */
export function csv(text: string, opts: CsvOptions = {}): CsvResult {
  const howToRead = "csv() parses CSV text: read the file first, e.g. csv(fs.readFileSync(path, 'utf8')) in Node or csv(await (await fetch(url)).text())";
  if (typeof text !== 'string') {
    throw new TypeError(`csv: expected the CSV text as a string, got ${text === null ? 'null' : typeof text}${(text as unknown) instanceof URL ? ` (a URL: ${howToRead})` : ''}`);
  }
  const o = checkOptions(opts, 'csv', ['header', 'hasHeader', 'delimiter', 'labelColumn', 'columns']);
  if (o.header !== undefined) checkBoolean(o.header, 'csv: header');
  if (o.hasHeader !== undefined) checkBoolean(o.hasHeader, 'csv: hasHeader');
  if (o.header !== undefined && o.hasHeader !== undefined && o.header !== o.hasHeader) {
    throw new Error(`csv: header and hasHeader are the same option (hasHeader is TF.js's name); got ${o.header} and ${o.hasHeader}`);
  }
  const delimiter = o.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new Error(`csv: delimiter: expected one character other than a quote or a line break, got ${describe(delimiter)}`);
  }
  if (looksLikePath(text, delimiter)) throw new Error(`csv: expected CSV text, got what looks like a file path (${describe(text.trim())}); ${howToRead}`);
  const rows = parseRecords(text, delimiter);
  if (rows.length === 0) throw new Error('csv: expected at least one row, got an empty table');

  const first = rows[0];
  const header = o.header ?? o.hasHeader ?? detectHeader(first);
  const names = header ? first.fields.map((f) => f.trim()) : undefined;
  const dataRows = header ? rows.slice(1) : rows;
  const width = first.fields.length;
  if (dataRows.length === 0) throw new Error(`csv: expected at least one data row after the header (line ${first.line}), got none`);

  for (const r of dataRows) {
    if (r.fields.length !== width) {
      throw new Error(
        `csv: line ${r.line} has ${r.fields.length} fields, expected ${width} (as in ${header ? 'the header' : 'the first row'}, line ${first.line})`,
      );
    }
  }

  const label = o.labelColumn === undefined ? undefined : resolveColumn(o.labelColumn, names, width, 'labelColumn');
  let featureCols: number[];
  if (o.columns !== undefined) {
    if (!Array.isArray(o.columns)) throw new TypeError(`csv: columns: expected an array of column names or indices, got ${typeof o.columns}`);
    featureCols = o.columns.map((c, i) => resolveColumn(c, names, width, `columns[${i}]`));
    const seen = new Set<number>();
    for (const c of featureCols) {
      if (seen.has(c)) throw new Error(`csv: columns: column ${c + 1}${names ? ` (${JSON.stringify(names[c])})` : ''} is listed twice`);
      if (c === label) throw new Error(`csv: columns: column ${c + 1}${names ? ` (${JSON.stringify(names[c])})` : ''} is the label column; expected feature columns only`);
      seen.add(c);
    }
  } else {
    featureCols = [];
    for (let c = 0; c < width; c++) if (c !== label) featureCols.push(c);
  }
  if (featureCols.length === 0) throw new Error('csv: expected at least one feature column, got none');

  const colName = (c: number) => (names ? names[c] : String(c));
  const cell = (r: Row, c: number): number => {
    const v = parseNumber(r.fields[c]);
    if (v === undefined) {
      const raw = r.fields[c];
      const shown = raw.trim() === '' ? 'an empty cell' : JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
      throw new Error(`csv: line ${r.line}, column ${c + 1}${names ? ` (${JSON.stringify(names[c])})` : ''}: expected a number, got ${shown}`);
    }
    return v;
  };

  const nRows = dataRows.length;
  const nf = featureCols.length;
  const xv = new Float32Array(nRows * nf);
  for (let i = 0; i < nRows; i++) {
    const r = dataRows[i];
    for (let j = 0; j < nf; j++) xv[i * nf + j] = cell(r, featureCols[j]);
  }
  const result: CsvResult = { xs: new Tensor(xv, [nRows, nf], 'float32'), columnNames: featureCols.map(colName) };

  if (label !== undefined) {
    const yv = new Float64Array(nRows);
    let ints = true;
    for (let i = 0; i < nRows; i++) {
      const v = cell(dataRows[i], label);
      yv[i] = v;
      if (ints && !(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647)) ints = false;
    }
    result.ys = ints ? new Tensor(Int32Array.from(yv), [nRows], 'int32') : new Tensor(Float32Array.from(yv), [nRows], 'float32');
    result.labelName = colName(label);
  }
  return result;
}
