import type { DataKind } from './layouts.ts';

/**
 * What validation finds. Errors are fatal (the loader refuses the file); warnings are reported and the data
 * loads unchanged. Lists are capped per code so a file with a million bad rows gives a readable report.
 */

/** One finding. `line` is the 1-based line in the file (header = 1); 0 means the whole file. */
export interface ValidationIssue {
  readonly code: string;
  readonly line: number;
  readonly field?: string;
  readonly value?: string;
  readonly message: string;
  /** Only on line-0 notes that stand for issues left out of a capped list: how many. */
  readonly omitted?: number;
}

export interface ValidationReport {
  readonly kind: DataKind;
  /** Layout name as detected (`yahoo`, `bid-ask`, …) or `memory` for in-memory series. */
  readonly layout: string;
  /** Data rows read (blank lines and the header excluded), including rows that failed. */
  readonly rows: number;
  /** Timestamps (epoch ms UTC) of the first and last valid rows; null when there are none. */
  readonly firstTs: number | null;
  readonly lastTs: number | null;
  /** Median spacing between consecutive distinct timestamps, ms (0 with fewer than two). */
  readonly intervalMs: number;
  readonly errors: readonly ValidationIssue[];
  readonly warnings: readonly ValidationIssue[];
}

/** Issues listed per code before the rest are summarised as "… and N more". */
export const MAX_ISSUES_PER_CODE = 20;

/**
 * Collects issues, keeping the first `MAX_ISSUES_PER_CODE` of each code (checks emit in line order, so
 * the earliest survive) and counting the rest.
 */
export class IssueLog {
  readonly #errors: ValidationIssue[] = [];
  readonly #warnings: ValidationIssue[] = [];
  readonly #counts = new Map<string, number>();
  #errorCount = 0;

  error(issue: ValidationIssue): void {
    this.#errorCount++;
    this.#add(this.#errors, issue);
  }

  warn(issue: ValidationIssue): void {
    this.#add(this.#warnings, issue);
  }

  /**
   * Whether the next issue of `code` would still be listed. Checks that can fire on every row ask first and
   * only count (`countError` / `countWarning`) past the cap, so a million bad rows build twenty messages.
   */
  lists(code: string): boolean {
    return (this.#counts.get(code) ?? 0) < MAX_ISSUES_PER_CODE;
  }

  /** Count an error of `code` that would not be listed (see `lists`). */
  countError(code: string): void {
    this.#errorCount++;
    this.#counts.set(code, (this.#counts.get(code) ?? 0) + 1);
  }

  /** Count a warning of `code` that would not be listed (see `lists`). */
  countWarning(code: string): void {
    this.#counts.set(code, (this.#counts.get(code) ?? 0) + 1);
  }

  /** Total fatal issues seen, including those past the cap. */
  get errorCount(): number {
    return this.#errorCount;
  }

  #add(list: ValidationIssue[], issue: ValidationIssue): void {
    const seen = (this.#counts.get(issue.code) ?? 0) + 1;
    this.#counts.set(issue.code, seen);
    if (seen <= MAX_ISSUES_PER_CODE) list.push(issue);
  }

  /** Both lists in line order, each capped code followed by a line-0 summary of what was left out. */
  finish(): { errors: ValidationIssue[]; warnings: ValidationIssue[] } {
    return { errors: this.#summarise(this.#errors), warnings: this.#summarise(this.#warnings) };
  }

  #summarise(list: ValidationIssue[]): ValidationIssue[] {
    const out = list.slice().sort((a, b) => (a.line || Infinity) - (b.line || Infinity));
    const codes = new Set(list.map((i) => i.code));
    for (const code of codes) {
      const more = (this.#counts.get(code) ?? 0) - MAX_ISSUES_PER_CODE;
      if (more > 0) out.push({ code, line: 0, message: `${more} more ${code} issue${more === 1 ? '' : 's'} not listed`, omitted: more });
    }
    return out;
  }
}

/** A finding with a size, for checks that list only the biggest (gaps, jumps). */
export interface RankedIssue {
  readonly size: number;
  readonly issue: ValidationIssue;
}

/** The `max` biggest findings in line order, plus a line-0 note counting the rest. */
export function listBiggest(found: readonly RankedIssue[], max: number, code: string, rest: string): ValidationIssue[] {
  const top = found.slice().sort((a, b) => b.size - a.size).slice(0, max).map((g) => g.issue);
  top.sort((a, b) => a.line - b.line);
  const omitted = found.length - max;
  if (omitted > 0) top.push({ code, line: 0, message: `${omitted} ${rest} not listed`, omitted });
  return top;
}
