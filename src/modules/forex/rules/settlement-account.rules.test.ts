import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  balanceBook,
  balances,
  checkAccount,
  cnyOf,
  fits,
  ibanValid,
  isBankCode,
  money,
  type ReceivedEvent,
  type SettledEvent,
} from './settlement-account.rules.ts';

test('IBAN check digits (ISO 13616 mod 97)', () => {
  for (const [iban, ok] of [
    ['GB82WEST12345698765432', true],
    ['DE89370400440532013000', true],
    ['GB82WEST12345698765433', false],
    ['DE89370400440532013001', false],
  ] as const)
    assert.equal(ibanValid(iban), ok, iban);
});

test('bank codes: SWIFT/BIC 8 or 11, CNAPS 12 digits', () => {
  for (const [code, ok] of [
    ['BKCHCNBJ', true],
    ['BKCHCNBJ550', true],
    ['104421000015', true],
    ['BKCH', false],
    ['bkchcnbj', false],
    ['1044210000', false],
  ] as const)
    assert.equal(isBankCode(code), ok, code);
});

test('a Chinese account number is never taken for an IBAN; a domestic number with letters is', () => {
  const base = { accountKind: 'current', bankName: 'B', bankCode: 'BKCHCNBJ', currency: '502', openedOn: '2026-01-01' };
  assert.deepEqual(checkAccount({ ...base, accountNo: '6217 0000 1234 5678 901' }, '2026-11-10'), []);
  assert.deepEqual(
    checkAccount({ ...base, accountNo: 'DE00370400440532013000' }, '2026-11-10').map((p) => p.rule),
    ['ibanCheck'],
  );
});

test('CNY of amount × rate, rounded half up to the fen', () => {
  assert.equal(money(cnyOf('100', '7.1')), '710.00');
  assert.equal(money(cnyOf('50.01', '7.1')), '355.07');
  assert.equal(money(cnyOf('0.05', '7.1')), '0.36'); // 0.355
  assert.equal(money(cnyOf('1', '7.12345678')), '7.12');
});

const r = (day: string, cents: bigint, accountId: ReceivedEvent['accountId']): ReceivedEvent => ({
  currency: '502',
  day,
  cents,
  accountId,
});
const s = (day: string, cents: bigint, accountId = 'A'): SettledEvent => ({ currency: '502', day, cents, accountId });

test('fits: own receipts first, then the pool shared by the accounts of the currency, on every later day', () => {
  const received = [
    r('2026-11-02', 1000n, 'A'),
    r('2026-11-03', 500n, null),
    r('2026-11-03', 300n, 'unattributed'),
    r('2026-11-01', 400n, 'B'),
  ];
  assert.deepEqual(fits(received, [], s('2026-11-05', 1500n)), { ok: true, availableCents: 1500n, overdrawnOn: null });
  assert.equal(fits(received, [], s('2026-11-05', 1501n)).ok, false, 'the unattributed 300 is not settleable');
  // B took 100 of the pool beyond its own 400: A has 400 of the pool left
  assert.equal(fits(received, [s('2026-11-04', 500n, 'B')], s('2026-11-05', 1400n)).ok, true);
  assert.equal(fits(received, [s('2026-11-04', 500n, 'B')], s('2026-11-05', 1401n)).ok, false);
  // back-dated: fine on its own day, overdraws a later settlement
  const out = fits(received, [s('2026-11-05', 1400n)], s('2026-11-04', 200n));
  assert.deepEqual(out, { ok: false, availableCents: 100n, overdrawnOn: '2026-11-05' }, 'only 100 of the pool is left by 11-05');
});

test('balances per account, currency and month', () => {
  const b = balances(
    [{ id: 'A', currency: '502' }],
    [
      r('2026-10-30', 1000n, 'A'),
      r('2026-11-03', 500n, null),
      r('2026-11-03', 300n, 'unattributed'),
      { currency: '142', day: '2026-11-03', cents: 900n, accountId: null },
    ],
    [s('2026-11-05', 1200n)],
  );
  assert.deepEqual(b.accounts[0], {
    accountId: 'A',
    currency: '502',
    received: '10.00',
    settled: '12.00',
    unsettled: '0.00',
    fromUnassigned: '2.00',
    periods: [
      { period: '2026-10', received: '10.00', settled: '0.00', unsettled: '10.00' },
      { period: '2026-11', received: '0.00', settled: '12.00', unsettled: '0.00' },
    ],
  });
  assert.equal(b.currencies.length, 1, 'CNY receipts are nothing to settle');
  assert.deepEqual(
    { ...b.currencies[0], periods: undefined },
    {
      currency: '502',
      received: '15.00',
      settled: '12.00',
      unsettled: '3.00',
      unassigned: '5.00',
      unattributed: '3.00',
      periods: undefined,
    },
  );
});

test('balanceBook answers as fits does, settlement after settlement, back-dated or not, overdrawn or not', () => {
  const day = fc.integer({ min: 1, max: 9 }).map((d) => `2026-11-0${d}`);
  const currency = fc.constantFrom('502', '300');
  const cents = fc.bigInt({ min: 1n, max: 2000n });
  const receivedEvent = fc.record({
    currency,
    day,
    cents,
    accountId: fc.constantFrom<ReceivedEvent['accountId']>('A', 'B', 'C', null, null, 'unattributed'),
  });
  const settledEvent = fc.record({ currency, day, cents, accountId: fc.constantFrom('A', 'B', 'C') });
  fc.assert(
    fc.property(
      fc.array(receivedEvent, { maxLength: 12 }),
      fc.array(settledEvent, { maxLength: 6 }),
      fc.array(fc.tuple(settledEvent, fc.boolean()), { minLength: 1, maxLength: 25 }),
      (received, stored, next) => {
        const settled = [...stored];
        const book = balanceBook(received, stored, [...next.map(([n]) => n.day)]);
        for (const [n, always] of next) {
          const want = fits(received, settled, n);
          assert.deepEqual(book.fits(n), want);
          // also stored when it does not fit: what was stored before may overdraw (a receipt deleted)
          if (want.ok || always) {
            settled.push(n);
            book.add(n);
          }
        }
      },
    ),
    { numRuns: 400 },
  );
  // a day no event falls on answers from the days before it
  const book = balanceBook([r('2026-11-02', 1000n, 'A')], [], []);
  assert.deepEqual(book.fits(s('2026-11-05', 600n)), fits([r('2026-11-02', 1000n, 'A')], [], s('2026-11-05', 600n)));
  assert.deepEqual(book.fits(s('2026-11-01', 1n)), { ok: false, availableCents: 0n, overdrawnOn: '2026-11-01' });
});
