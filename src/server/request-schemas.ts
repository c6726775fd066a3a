/**
 * Request schemas: query strings, path parameters and action bodies. Unknown query parameters and body fields
 * are refused (400) rather than ignored, so that a typo (`?limt=5`, `{"flaten": true}`) is an error the
 * operator sees, not a silently different request. `describeRule` (bad-request.ts) turns these into the
 * "must be ..." half of a 400 message, so keep them to the keywords it knows.
 */

/** How many rows a list returns, newest first. */
export const limitParam = { type: 'integer', minimum: 1, maximum: 10_000, description: 'at most this many, newest first' } as const;

/** A query string of exactly these parameters. */
export function query(properties: Record<string, object>) {
  return { type: 'object', additionalProperties: false, properties } as const;
}

export const ordersQuery = query({
  open: { type: 'boolean', description: 'only working orders' },
  limit: limitParam,
});

export const limitQuery = query({ limit: limitParam });

export const equityQuery = query({
  points: { type: 'integer', minimum: 2, maximum: 100_000, description: 'thin the curve to at most this many samples' },
});

/** `:id` in a path: a client order id or a strategy id. */
export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

/** Why an operator acted: journaled with the action, so it must say something. */
const reason = { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S', description: 'journaled with the action' } as const;

export const killBody = {
  type: 'object',
  additionalProperties: false,
  required: ['flatten', 'reason'],
  properties: {
    flatten: { type: 'boolean', description: 'also close every position (through the risk gate) after cancelling' },
    reason,
  },
} as const;

/** A live limit change: the new `risk:` section (validated by the engine, which names a bad key) and why. */
export const limitsBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: {
    risk: { type: 'object', description: 'the risk section as in keel.yaml (account, strategies, instruments, assetClasses); breakers and killSwitch stay as they are' },
    yaml: { type: 'string', maxLength: 20000, description: 'the same section as YAML text (the dashboard sends this), instead of risk' },
    reason,
  },
} as const;

export const rearmBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason },
} as const;
