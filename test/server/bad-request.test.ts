import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRule, describeValidationError } from '../../src/server/bad-request.ts';

const body = {
  type: 'object',
  required: ['order'],
  properties: { order: { type: 'object', required: ['side'], properties: { side: { type: 'string', enum: ['buy', 'sell'] }, qty: { type: 'number', maximum: 5 } } } },
};

test('rules in words', () => {
  assert.equal(describeRule({ type: 'integer', minimum: 1 }), 'an integer ≥ 1');
  assert.equal(describeRule({ type: 'integer', minimum: 1, maximum: 10 }), 'an integer from 1 to 10');
  assert.equal(describeRule({ type: 'number', maximum: 5 }), 'a number ≤ 5');
  assert.equal(describeRule({ type: 'boolean' }), 'true or false');
  assert.equal(describeRule({ type: 'string' }), 'a string');
  assert.equal(describeRule({ type: ['string', 'null'], minLength: 1 }), 'a non-blank string');
  assert.equal(describeRule({ type: 'string', enum: ['buy', 'sell'] }), 'one of "buy", "sell"');
});

test('schema errors become one KeelError line naming the field path and the value sent', () => {
  const e = describeValidationError({ instancePath: '/limit', keyword: 'type', params: { type: 'integer' } }, 'querystring',
    { limit: 'abc' }, { type: 'object', properties: { limit: { type: 'integer', minimum: 1 } } });
  assert.equal(e.message, 'limit = "abc": must be an integer ≥ 1');
  assert.equal(e.code, 'BAD_REQUEST');
  assert.equal(e.field, 'limit');

  assert.equal(describeValidationError({ instancePath: '/order/side', keyword: 'enum', params: {} }, 'body', { order: { side: 'short' } }, body).message,
    'order.side = "short": must be one of "buy", "sell"');
  assert.equal(describeValidationError({ instancePath: '/order', keyword: 'required', params: { missingProperty: 'side' } }, 'body', { order: {} }, body).message,
    'order.side: is required (one of "buy", "sell")');
  assert.equal(describeValidationError({ instancePath: '/order', keyword: 'type', params: { type: 'object' } }, 'body', { order: [1, 2] }, body).message,
    'order = [1,2]: must be an object');
  assert.equal(describeValidationError({ instancePath: '/x', keyword: 'type', params: {} }, 'body', { x: 1 }, body).message,
    'x = 1: is not valid', 'a field the schema does not describe still gets a line');
});

test('header errors never echo the value (headers carry the token)', () => {
  const e = describeValidationError({ instancePath: '/authorization', keyword: 'pattern', params: {} }, 'headers', undefined,
    { type: 'object', properties: { authorization: { type: 'string', maxLength: 10 } } });
  assert.equal(e.message, 'authorization: must be a string of at most 10 characters');
});
