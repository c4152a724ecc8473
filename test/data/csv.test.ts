import { describe, expect, it } from 'vitest';
import { csv } from '../../src/data/csv.ts';
import * as data from '../../src/data/index.ts';

const IRIS = `sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,0
7.0,3.2,4.7,1.4,1
6.3,3.3,6.0,2.5,2
`;

describe('csv: happy paths', () => {
  it('reads a table with a header and a label column by name', () => {
    const r = csv(IRIS, { labelColumn: 'species' });
    expect(r.xs.dtype).toBe('float32');
    expect(r.xs.shape).toEqual([3, 4]);
    expect(Array.from(r.xs.values)).toEqual([5.1, 3.5, 1.4, 0.2, 7.0, 3.2, 4.7, 1.4, 6.3, 3.3, 6.0, 2.5].map(Math.fround));
    expect(r.ys!.dtype).toBe('int32');
    expect(r.ys!.shape).toEqual([3]);
    expect(Array.from(r.ys!.values)).toEqual([0, 1, 2]);
    expect(r.columnNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(r.labelName).toBe('species');
    expect(data.csv).toBe(csv);
  });

  it('auto-detects a missing header; labelColumn by index, negative from the end', () => {
    const text = '1,2,3\n4,5,6\n';
    const r = csv(text);
    expect(r.xs.shape).toEqual([2, 3]);
    expect(r.ys).toBeUndefined();
    expect(r.columnNames).toEqual(['0', '1', '2']);
    const last = csv(text, { labelColumn: -1 });
    expect(last.xs.arraySync()).toEqual([[1, 2], [4, 5]]);
    expect(Array.from(last.ys!.values)).toEqual([3, 6]);
    const mid = csv(text, { labelColumn: 1 });
    expect(mid.xs.arraySync()).toEqual([[1, 3], [4, 6]]);
    expect(mid.labelName).toBe('1');
  });

  it('float labels stay float32', () => {
    const r = csv('x,y\n1,0.5\n2,1\n', { labelColumn: 'y' });
    expect(r.ys!.dtype).toBe('float32');
    expect(Array.from(r.ys!.values)).toEqual([0.5, 1]);
    const big = csv('x,y\n1,3000000000\n', { labelColumn: 'y' });
    expect(big.ys!.dtype).toBe('float32');
  });

  it('handles \\r\\n, a BOM, blank lines, spaces, signs and exponents', () => {
    const text = '\ufeffa , b\r\n 1 , -2.5e1\r\n\r\n+.5,3.\r\n\r\n  \r\n';
    const r = csv(text);
    expect(r.columnNames).toEqual(['a', 'b']);
    expect(r.xs.arraySync()).toEqual([[1, -25], [0.5, 3]]);
    expect(csv('1,2\r3,4').xs.arraySync()).toEqual([[1, 2], [3, 4]]); // old Mac line ends
    expect(csv('1,2').xs.shape).toEqual([1, 2]); // no final line end
  });

  it('handles quoted fields', () => {
    const text = '"width, cm","say ""hi""",label\n"1.5", 2 ,"1"\n3,"4",0\n';
    const r = csv(text, { labelColumn: 'label' });
    expect(r.columnNames).toEqual(['width, cm', 'say "hi"']);
    expect(r.xs.arraySync()).toEqual([[1.5, 2], [3, 4]]);
    expect(Array.from(r.ys!.values)).toEqual([1, 0]);
    // A line break inside quotes belongs to the field; line numbers in errors still count it.
    const multi = '"a\nb",c\n1,x\n';
    expect(() => csv(multi)).toThrow('csv: line 3, column 2 ("c"): expected a number, got "x"');
  });

  it('other delimiters, and an explicit header flag', () => {
    expect(csv('a;b\n1;2\n', { delimiter: ';' }).xs.arraySync()).toEqual([[1, 2]]);
    expect(csv('1\t2\n3\t4\n', { delimiter: '\t' }).xs.arraySync()).toEqual([[1, 2], [3, 4]]);
    const numericHeader = csv('1990,2000\n5,6\n', { header: true });
    expect(numericHeader.columnNames).toEqual(['1990', '2000']);
    expect(numericHeader.xs.arraySync()).toEqual([[5, 6]]);
  });

  it('columns picks and orders the features; other columns may hold text', () => {
    const text = 'id,name,x1,x2,y\n1,alice,0.5,1.5,1\n2,bob,2.5,3.5,0\n';
    const r = csv(text, { columns: ['x2', 2], labelColumn: 'y' });
    expect(r.columnNames).toEqual(['x2', 'x1']);
    expect(r.xs.arraySync()).toEqual([[1.5, 0.5], [3.5, 2.5]]);
    expect(Array.from(r.ys!.values)).toEqual([1, 0]);
  });

  it('NaN and Infinity spelled out are numbers', () => {
    const r = csv('a,b\nNaN,inf\n-Infinity,1\n');
    const v = r.xs.values;
    expect(Number.isNaN(v[0])).toBe(true);
    expect(v[1]).toBe(Infinity);
    expect(v[2]).toBe(-Infinity);
  });
});

describe('csv: errors name the line and column', () => {
  it('non-numeric cells', () => {
    expect(() => csv('a,b\n1,2\n3,abc\n')).toThrow('csv: line 3, column 2 ("b"): expected a number, got "abc"');
    expect(() => csv('1,2\n3,\n')).toThrow('csv: line 2, column 2: expected a number, got an empty cell');
    expect(() => csv('a,b\n1,0x10\n')).toThrow(/line 2, column 2 \("b"\): expected a number, got "0x10"/);
    expect(() => csv('a,y\n1,cat\n', { labelColumn: 'y' })).toThrow(/line 2, column 2 \("y"\): expected a number, got "cat"/);
  });

  it('ragged rows', () => {
    expect(() => csv('a,b,c\n1,2,3\n4,5\n')).toThrow('csv: line 3 has 2 fields, expected 3 (as in the header, line 1)');
    expect(() => csv('1,2\n\n3,4,5\n')).toThrow('csv: line 3 has 3 fields, expected 2 (as in the first row, line 1)');
  });

  it('quotes', () => {
    expect(() => csv('a,b\n1,"2\n')).toThrow(/line 2, column 2: a quoted field is never closed/);
    expect(() => csv('a,b\n1,"2"x\n')).toThrow(/line 2, column 2: expected "," or a line end after a closing quote, got "x"/);
  });

  it('empty tables', () => {
    expect(() => csv('')).toThrow('csv: expected at least one row, got an empty table');
    expect(() => csv('\n\r\n  \n')).toThrow(/empty table/);
    expect(() => csv('a,b\n')).toThrow('csv: expected at least one data row after the header (line 1), got none');
  });

  it('bad options', () => {
    expect(() => csv('a,b\n1,2\n', { labelColumn: 'c' })).toThrow('csv: labelColumn: expected one of the header\'s columns ("a", "b"), got "c"');
    expect(() => csv('1,2\n', { labelColumn: 'c' })).toThrow(/needs a header row/);
    expect(() => csv('1,2\n', { labelColumn: 2 })).toThrow('csv: labelColumn: expected a column index in [-2, 1] (the table has 2 columns), got 2');
    expect(() => csv('1,2\n', { delimiter: ';;' })).toThrow(/delimiter: expected one character/);
    expect(() => csv('a,b\n1,2\n', { columns: ['a', 'a'] })).toThrow(/listed twice/);
    expect(() => csv('a,b\n1,2\n', { columns: ['a'], labelColumn: 'a' })).toThrow(/is the label column/);
    expect(() => csv('a\n1\n', { labelColumn: 0 })).toThrow(/at least one feature column/);
    expect(() => csv(42 as unknown as string)).toThrow('csv: expected the CSV text as a string, got number');
  });
});
