import { KeelError } from '../model/index.ts';

/**
 * A KeelError about a data file, located by path and line so it prints as one line a user can act on:
 * `data/ORCL.csv:12: field "close" = "abc": not a number`. `field` and `value` stay structured as on any
 * KeelError; `line` is 1-based (the header is line 1) and undefined for problems with the whole file.
 *
 * @example
 * throw new DataFileError('NOT_A_NUMBER', 'not a number', { file: 'a.csv', line: 12, field: 'close', value: 'abc' });
 */
export class DataFileError extends KeelError {
  readonly file: string;
  readonly line: number | undefined;

  constructor(
    code: string,
    message: string,
    details: { file: string; line?: number; field?: string; value?: string; hint?: string },
  ) {
    super(code, message, { field: details.field, value: details.value, hint: details.hint });
    this.name = 'DataFileError';
    this.file = details.file;
    this.line = details.line;
    this.message = formatDataMessage(message, details);
  }
}

/** `FILE[:LINE]: [field "F"[ = "V"]: ]message[ (hint)]` */
export function formatDataMessage(
  message: string,
  d: { file: string; line?: number; field?: string; value?: string; hint?: string },
): string {
  let out = d.line !== undefined && d.line > 0 ? `${d.file}:${d.line}: ` : `${d.file}: `;
  if (d.field !== undefined) out += d.value !== undefined ? `field "${d.field}" = ${showValue(d.value)}: ` : `field "${d.field}": `;
  out += message;
  return d.hint ? `${out} (${d.hint})` : out;
}

function showValue(v: string): string {
  return JSON.stringify(v.length > 80 ? v.slice(0, 77) + '...' : v);
}
