import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cdiv, fmtGiB, fmtInt } from '../../server/src/engine/units';

test('token counts print as vLLM prints them (f"{n:,}")', () => {
  assert.equal(fmtInt(0), '0');
  assert.equal(fmtInt(999), '999');
  assert.equal(fmtInt(42656), '42,656');
  assert.equal(fmtInt(2042016), '2,042,016');
  assert.equal(fmtInt(-1234567.9), '-1,234,567');
  assert.equal(fmtInt(Number.NaN), 'NaN');
});

test('GiB with two decimals and cdiv', () => {
  assert.equal(fmtGiB(6.51 * 1024 ** 3), '6.51 GiB');
  assert.equal(cdiv(32768, 16), 2048);
  assert.equal(cdiv(5000, 16), 313);
});
