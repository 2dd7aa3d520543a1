import { expect, it } from 'vitest';
import { csvLine } from './csv.js';

it('quotes only fields with separators, quotes, line breaks or edge spaces (RFC 4180)', () => {
  expect(csvLine(['web', 3, null, undefined, true])).toBe('web,3,,,true\n');
  expect(csvLine(['a,b', 'say "hi"', 'two\nlines', ' padded', '+15550001111'])).toBe(
    '"a,b","say ""hi""","two\nlines"," padded",+15550001111\n',
  );
});
