/**
 * The audit trail (issue 13; docs/security.md): every operator action, login, configuration and limit change,
 * secret access and role change as a typed event, stored hash-chained in the journal database (SQLite or
 * PostgreSQL), verified and exported by `keel audit`.
 */
export { AUDIT_ACTIONS, isAuditAction, type AuditAction } from './audit-actions.ts';
export {
  AUDIT_OK, auditDenied, auditFailed, checkAuditEvent,
  type AuditActor, type AuditOrigin, type AuditResult, type AuditDetails, type AuditSubject, type AuditEvent, type AuditRecord, type CheckedAuditEvent,
} from './audit-event.ts';
export { canonicalJson, MAX_DETAILS_BYTES, type AuditValue } from './canonical-json.ts';
export { genesisHash, canonicalRecord, recordHash, toAuditRecord } from './chain.ts';
export { ChainWalk, formatHead, parseHead, type AuditHead, type AuditProblem, type AuditVerdict } from './verify-chain.ts';
export { ChainedAuditLog, type AuditLog, type AuditTime } from './audit-log.ts';
export { openAuditLog, type OpenAuditLogOptions } from './open-audit-log.ts';
export { BackgroundAudit, type AuditRecorder, type BackgroundAuditOptions } from './background-audit.ts';
export { toCsv, toJsonExport, AUDIT_CSV_COLUMNS, type AuditExportFormat } from './audit-export.ts';
