import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import type { LedgerDatabase } from '../../src/ledger/schema.ts';
import type { EmailReservation, Ledger } from '../../src/payments/ledger.ts';
import { backends } from './backends.ts';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const T1 = new Date('2030-01-01T00:00:05.000Z');
const LEASE_MS = 60_000;
/** The first instant at which a reservation taken at T0 is older than the lease. */
const AFTER_LEASE = new Date(T0.getTime() + LEASE_MS + 1);

const RESERVED: EmailReservation = { outcome: 'reserved', takenOver: false };
const TAKEN_OVER: EmailReservation = { outcome: 'reserved', takenOver: true };
const PENDING: EmailReservation = { outcome: 'taken', stripeCustomerId: null };

function uniqueEmail(): string {
  return `${randomUUID()}@example.com`;
}

/** Reserves for `owner` (a fresh one by default: a request of its own) with LEASE_MS. */
function reserve(
  ledger: Ledger,
  email: string,
  now: Date,
  owner = `papi_${randomUUID()}`,
): Promise<EmailReservation> {
  return ledger.reserveEmail(email, now, { owner, leaseMs: LEASE_MS });
}

for (const backend of backends('customers')) {
  describe(`${backend.name}: customers`, () => {
    let ledger: Ledger;
    let other: Ledger;
    let raw: Kysely<LedgerDatabase>;

    before(async () => {
      ledger = await backend.open();
      other = await backend.open();
      raw = backend.raw();
    });
    after(() => backend.dispose());

    describe('reserveEmail', () => {
      it('reserves an email nobody holds', async () => {
        assert.deepEqual(await reserve(ledger, uniqueEmail(), T0), RESERVED);
      });

      it('answers taken with a null id while the first customer is being created', async () => {
        const email = uniqueEmail();
        await reserve(ledger, email, T0);

        assert.deepEqual(await reserve(other, email, T1), {
          outcome: 'taken',
          stripeCustomerId: null,
        });
      });

      it('answers taken with the customer id once the customer is confirmed', async () => {
        const email = uniqueEmail();
        await reserve(ledger, email, T0);
        await ledger.confirmCustomer(email, 'cus_confirmed1', T1);

        assert.deepEqual(await reserve(other, email, T1), {
          outcome: 'taken',
          stripeCustomerId: 'cus_confirmed1',
        });
      });

      it('lets several emails be pending at once', async () => {
        const outcomes = await Promise.all([
          reserve(ledger, uniqueEmail(), T0),
          reserve(ledger, uniqueEmail(), T0),
        ]);

        assert.deepEqual(outcomes, [RESERVED, RESERVED]);
      });

      it('reserves for exactly one of 20 concurrent registrations from two instances', async () => {
        const email = uniqueEmail();

        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => reserve(i % 2 === 0 ? ledger : other, email, T0)),
        );

        const reserved = results.filter((result) => result.outcome === 'reserved');
        assert.equal(reserved.length, 1);
        assert.equal(results.filter((result) => result.outcome === 'taken').length, 19);
      });

      it('stores the owner with the reservation', async () => {
        const email = uniqueEmail();

        await reserve(ledger, email, T0, 'papi_owner_stored');

        const row = await raw
          .selectFrom('customers')
          .select(['registration_key', 'updated_at'])
          .where('email', '=', email)
          .executeTakeFirst();
        assert.deepEqual(row, { registration_key: 'papi_owner_stored', updated_at: T0.getTime() });
      });
    });

    describe('reserveEmail with an owner and a lease', () => {
      it('gives a pending reservation back to its own owner within the lease', async () => {
        const email = uniqueEmail();
        await reserve(ledger, email, T0, 'papi_same');

        assert.deepEqual(await reserve(other, email, T1, 'papi_same'), RESERVED);
      });

      it('restarts the lease when the owner takes its reservation back', async () => {
        const email = uniqueEmail();
        await reserve(ledger, email, T0, 'papi_renewing');
        await reserve(ledger, email, T1, 'papi_renewing');

        // Older than the lease from T0, but not from T1 when the owner took it back.
        assert.deepEqual(await reserve(other, email, AFTER_LEASE, 'papi_late'), PENDING);
      });

      it('answers taken to another owner until the lease has run out', async () => {
        const email = uniqueEmail();
        await reserve(ledger, email, T0, 'papi_first');
        const atLeaseEnd = new Date(T0.getTime() + LEASE_MS);

        assert.deepEqual(await reserve(other, email, atLeaseEnd, 'papi_second'), PENDING);
      });

      it('lets another owner take over a reservation older than the lease', async () => {
        const email = uniqueEmail();
        await reserve(ledger, email, T0, 'papi_crashed');

        assert.deepEqual(await reserve(other, email, AFTER_LEASE, 'papi_next'), TAKEN_OVER);
        assert.deepEqual(
          await reserve(ledger, email, AFTER_LEASE, 'papi_crashed'),
          PENDING,
          'the former owner lost it',
        );
        assert.deepEqual(await reserve(ledger, email, AFTER_LEASE, 'papi_next'), RESERVED);
      });

      it('lets another owner take over a reservation written before owners were stored', async () => {
        const email = uniqueEmail();
        const ms = T0.getTime();
        await raw
          .insertInto('customers')
          .values({ email, stripe_customer_id: null, created_at: ms, updated_at: ms })
          .execute();

        assert.deepEqual(await reserve(ledger, email, T1, 'papi_any'), PENDING);
        assert.deepEqual(await reserve(ledger, email, AFTER_LEASE, 'papi_any'), TAKEN_OVER);
      });

      it('lets exactly one of 20 concurrent takeovers from two instances win', async () => {
        const email = uniqueEmail();
        await reserve(ledger, email, T0, 'papi_abandoned');

        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            reserve(i % 2 === 0 ? ledger : other, email, AFTER_LEASE, `papi_taker_${i}`),
          ),
        );

        assert.deepEqual(
          results.filter((result) => result.outcome === 'reserved'),
          [TAKEN_OVER],
        );
        assert.equal(results.filter((result) => result.outcome === 'taken').length, 19);
        const row = await raw
          .selectFrom('customers')
          .select('registration_key')
          .where('email', '=', email)
          .executeTakeFirstOrThrow();
        const winner = results.findIndex((result) => result.outcome === 'reserved');
        assert.equal(row.registration_key, `papi_taker_${winner}`);
      });

      it('never takes over a confirmed customer, for its owner or after the lease', async () => {
        const email = uniqueEmail();
        await reserve(ledger, email, T0, 'papi_done');
        await ledger.confirmCustomer(email, 'cus_confirmed2', T0);
        const confirmed = { outcome: 'taken', stripeCustomerId: 'cus_confirmed2' };

        assert.deepEqual(await reserve(ledger, email, T1, 'papi_done'), confirmed);
        assert.deepEqual(await reserve(other, email, AFTER_LEASE, 'papi_other'), confirmed);
        assert.deepEqual(await reserve(other, email, AFTER_LEASE, 'papi_done'), confirmed);
        assert.equal((await ledger.findCustomerByEmail(email))?.stripeCustomerId, 'cus_confirmed2');
      });

      it('reserves afresh, not as a takeover, an email whose reservation was released', async () => {
        const email = uniqueEmail();
        await reserve(ledger, email, T0, 'papi_refused');
        await ledger.releaseEmail(email);

        assert.deepEqual(await reserve(other, email, T1, 'papi_after'), RESERVED);
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
        await reserve(ledger, email, T0);
        await ledger.confirmCustomer(email, 'cus_twice', T1);

        await ledger.confirmCustomer(email, 'cus_twice', T1);

        assert.equal((await ledger.findCustomerByEmail(email))?.stripeCustomerId, 'cus_twice');
      });

      it('throws when the email already belongs to another customer, keeping the first', async () => {
        const email = uniqueEmail();
        await reserve(ledger, email, T0);
        await ledger.confirmCustomer(email, 'cus_first', T1);

        await assert.rejects(ledger.confirmCustomer(email, 'cus_second', T1), /another Stripe/);
        assert.equal((await ledger.findCustomerByEmail(email))?.stripeCustomerId, 'cus_first');
      });
    });

    describe('releaseEmail', () => {
      it('frees a pending reservation for the next registration', async () => {
        const email = uniqueEmail();
        await reserve(ledger, email, T0);

        await ledger.releaseEmail(email);

        assert.deepEqual(await reserve(other, email, T1), RESERVED);
      });

      it('leaves a confirmed customer in place', async () => {
        const email = uniqueEmail();
        await reserve(ledger, email, T0);
        await ledger.confirmCustomer(email, 'cus_kept', T1);

        await ledger.releaseEmail(email);

        assert.deepEqual(await reserve(ledger, email, T1), {
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
        await reserve(ledger, email, T0);
        await ledger.confirmCustomer(email, 'cus_found', T1);

        const found = await other.findCustomerByEmail(email);

        assert.deepEqual(found, { email, stripeCustomerId: 'cus_found', createdAt: T0 });
        assert.ok(found?.createdAt instanceof Date);
      });

      it('answers null for a reservation not yet confirmed', async () => {
        const email = uniqueEmail();
        await reserve(ledger, email, T0);

        assert.equal(await ledger.findCustomerByEmail(email), null);
      });

      it('answers null for an unknown email', async () => {
        assert.equal(await ledger.findCustomerByEmail(uniqueEmail()), null);
      });
    });
  });
}
