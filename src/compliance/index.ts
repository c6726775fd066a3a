/**
 * Compliance: the order records regulators expect (MiFID II RTS 6/25, SEC 15c3-5) exported from the journal,
 * their retention, and the pre-go-live checklist `keel live` requires.
 */
export * from './order-records.ts';
export * from './records-format.ts';
export * from './retention.ts';
export * from './preflight/index.ts';
