/**
 * Strategy lifecycle (issue 16): which version of a strategy ran, and how a new version is rolled out.
 * These are journal event shapes; other parts of Keel (post-trade analysis, records export) read them, so
 * their fields only ever grow.
 */

/**
 * Everything that says which strategy ran: journaled as `strategy.identity` at every start of a run (and when
 * a rollout brings in a new version), so a journal answers "what code, which inputs, which Keel" for any order.
 */
export interface StrategyIdentity {
  /**
   * Compact version id: the first 12 hex digits of sha256 over the code hash and the canonical parameters,
   * e.g. `3f2a9c01b7de`. Carried in the `version` column of every order intent, venue report and fill.
   */
  readonly versionId: string;
  /** The strategy id its orders carry (client order ids are `<strategyId>-<n>`). */
  readonly strategyId: string;
  /** Built-in name or the file's path as given (`sma-cross`, `strategies/breakout.ts`). */
  readonly strategy: string;
  /** Absolute path of the source file, null for built-ins. */
  readonly file: string | null;
  /** sha256 (hex) of the strategy's source file. */
  readonly codeHash: string;
  /** The git commit of the repository holding the source file, and whether its work tree had changes; null outside git. */
  readonly git: { readonly commit: string; readonly dirty: boolean } | null;
  readonly params: Readonly<Record<string, unknown>>;
  /** Keel's package version. */
  readonly keelVersion: string;
  /** sha256 (hex) of the run config file's bytes; null when run from command-line flags. */
  readonly configHash: string | null;
}

/** Which part a version plays in the account: the one trading, a shadow beside it, or a canary with a fraction of the size. */
export type StrategyRole = 'live' | 'shadow' | 'canary';

/** `strategy.identity`: journaled with stream {account, strategy: identity.strategyId} and version = identity.versionId. */
export interface StrategyIdentityEvent {
  readonly type: 'strategy.identity';
  readonly ts: number;
  readonly role: StrategyRole;
  /** Why it was journaled: a run's start, or a rollout step bringing the version in. */
  readonly reason: 'run-start' | 'rollout';
  readonly identity: StrategyIdentity;
}

/** One order intent in a shadow comparison: side and quantity (instrument units, decimal string). */
export interface IntentSummary {
  readonly side: 'buy' | 'sell';
  readonly quantity: string;
  readonly type: string;
}

/**
 * `shadow.decision`: on a market event where the live version or the shadow (or both) sent orders, what each
 * sent; `agree` when both sent the same sides and quantities, in order.
 */
export interface ShadowDecisionEvent {
  readonly type: 'shadow.decision';
  readonly ts: number;
  readonly live: readonly IntentSummary[];
  readonly shadow: readonly IntentSummary[];
  readonly agree: boolean;
}

/** `rollout.stage-changed`: a rollout step, by an operator or an automatic criterion. */
export interface RolloutStageEvent {
  readonly type: 'rollout.stage-changed';
  readonly ts: number;
  readonly from: string;
  readonly to: string;
  /** The operator (describeOperator), or `criteria: <which>` for an automatic step. */
  readonly by: string;
  readonly reason: string;
  readonly liveVersion: string;
  readonly candidateVersion: string;
  /** At a rollback from canary: what was done with the canary's position. */
  readonly positions?: {
    readonly action: 'flatten' | 'handover';
    /** The canary's own position (its ledger), signed lots. */
    readonly lots: number;
    /** Its working orders canceled. */
    readonly canceled: readonly string[];
    /** The reduce-only market order sent to flatten (absent: handover, or nothing of it left in the account). */
    readonly flattenOrder?: string;
    /** The flatten order pre-trade risk refused before it was sent, and why (the operator flattens by hand). */
    readonly flattenRefused?: string;
  };
}
