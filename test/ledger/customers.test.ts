import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Ledger } from '../../src/payments/ledger.ts';
import { backends } from './backends.ts';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const T1 = new Date('2030-01-01T00:00:05.000Z');

function uniqueEmail(): string {
  return `${randomUUID()}@example.com`;
}

for (const backend of backends('customers')) {
  describe(`${backend.name}: customers`, () => {
    let ledger: Ledger;
    let other: Ledger;

    before(async () => {
      ledger = await backend.open();
      other = await backend.open();
    });
    after(() => backend.dispose());

    describe('reserveEmail', () => {
      it('reserves an email nobody holds', async () => {
        assert.deepEqual(await ledger.reserveEmail(uniqueEmail(), T0), { outcome: 'reserved' });
      });

      it('answers taken with a null id while the first customer is being created', async () => {
        const email = uniqueEmail();
        await ledger.reserveEmail(email, T0);

        assert.deepEqual(await other.reserveEmail(email, T1), {
          outcome: 'taken',
          stripeCustomerId: null,
        });
      });

      it('answers taken with the customer id once the customer is confirmed', async () => {
        const email = uniqueEmail();
        await ledger.reserveEmail(email, T0);
        await ledger.confirmCustomer(email, 'cus_confirmed1', T1);

        assert.deepEqual(await other.reserveEmail(email, T1), {
          outcome: 'taken',
          stripeCustomerId: 'cus_confirmed1',
        });
      });

      it('lets several emails be pending at once', async () => {
        const outcomes = await Promise.all([
          ledger.reserveEmail(uniqueEmail(), T0),
          ledger.reserveEmail(uniqueEmail(), T0),
        ]);

        assert.deepEqual(outcomes, [{ outcome: 'reserved' }, { outcome: 'reserved' }]);
      });

      it('reserves for exactly one of 20 concurrent registrations from two instances', async () => {
        const email = uniqueEmail();

        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? ledger : other).reserveEmail(email, T0),
          ),
        );

        const reserved = results.filter((result) => result.outcome === 'reserved');
        assert.equal(reserved.length, 1);
        assert.equal(results.filter((result) => result.outcome === 'taken').length, 19);
      });
    });

    describe('confirmCustomer', () => {
      it('records a customer whose reservation was lost', async () => {
        const email = uniqueEmail();

        await ledger.confirmCustomer(email, 'cus_noreservation', T1);

        assert.deepEqual(await ledger.findCustomerByEmail(email), {
          email,
          stripeCustomerId: 'cus_noreservation',
          createdAt: T1,
        });
      });

      it('accepts the same confirmation twice', async () => {
        const email = uniqueEmail();
        await ledger.reserveEmail(email, T0);
        await ledger.confirmCustomer(email, 'cus_twice', T1);

        await ledger.confirmCustomer(email, 'cus_twice', T1);

        assert.equal((await ledger.findCustomerByEmail(email))?.stripeCustomerId, 'cus_twice');
      });

      it('throws when the email already belongs to another customer, keeping the first', async () => {
        const email = uniqueEmail();
        await ledger.reserveEmail(email, T0);
        await ledger.confirmCustomer(email, 'cus_first', T1);

        await assert.rejects(ledger.confirmCustomer(email, 'cus_second', T1), /another Stripe/);
        assert.equal((await ledger.findCustomerByEmail(email))?.stripeCustomerId, 'cus_first');
      });
    });

    describe('releaseEmail', () => {
      it('frees a pending reservation for the next registration', async () => {
        const email = uniqueEmail();
        await ledger.reserveEmail(email, T0);

        await ledger.releaseEmail(email);

        assert.deepEqual(await other.reserveEmail(email, T1), { outcome: 'reserved' });
      });

      it('leaves a confirmed customer in place', async () => {
        const email = uniqueEmail();
        await ledger.reserveEmail(email, T0);
        await ledger.confirmCustomer(email, 'cus_kept', T1);

        await ledger.releaseEmail(email);

        assert.deepEqual(await ledger.reserveEmail(email, T1), {
          outcome: 'taken',
          stripeCustomerId: 'cus_kept',
        });
      });

      it('does nothing for an unknown email', async () => {
        await ledger.releaseEmail(uniqueEmail());
      });
    });

    describe('findCustomerByEmail', () => {
      it('answers the confirmed customer with the reservation time as createdAt', async () => {
        const email = uniqueEmail();
        await ledger.reserveEmail(email, T0);
        await ledger.confirmCustomer(email, 'cus_found', T1);

        const found = await other.findCustomerByEmail(email);

        assert.deepEqual(found, { email, stripeCustomerId: 'cus_found', createdAt: T0 });
        assert.ok(found?.createdAt instanceof Date);
      });

      it('answers null for a reservation not yet confirmed', async () => {
        const email = uniqueEmail();
        await ledger.reserveEmail(email, T0);

        assert.equal(await ledger.findCustomerByEmail(email), null);
      });

      it('answers null for an unknown email', async () => {
        assert.equal(await ledger.findCustomerByEmail(uniqueEmail()), null);
      });
    });
  });
}
