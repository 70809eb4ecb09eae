// Not a test of osmo: the input of test/failure-summary.test.ts, which runs
// it and reads what the reporters print. Two tests fail, two pass.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

describe('outer', () => {
  describe('inner', () => {
    it('compares', () => assert.equal(1, 2));
    it('passes', () => {});
  });
  it('also passes', () => {});
});
it('throws', () => {
  throw new Error('first line\nsecond line');
});
