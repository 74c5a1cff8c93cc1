import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { expectRejection, resetSandbox, sleep, useTestSandbox } from '../support/sandbox.ts';

/**
 * List pagination (stripe-semantics.md §3, §8.2): newest first, `limit` 10 by default and 100 at
 * most, `starting_after`/`ending_before` exclusive of the cursor, exact `has_more`, the right `url`.
 */

interface Listed {
  id: string;
  created: number;
}

type Lister = (params: Stripe.PaginationParams) => Promise<Stripe.ApiList<Listed>>;

interface Page {
  ids: string[];
  hasMore: boolean;
  url: string;
  object: string;
  created: number[];
}

const COUNT = 250;
const PAGE_GUARD = 1000;

function pageOf(list: Stripe.ApiList<Listed>): Page {
  return {
    ids: list.data.map((o) => o.id),
    hasMore: list.has_more,
    url: list.url,
    object: list.object,
    created: list.data.map((o) => o.created),
  };
}

/** Walks from the newest object towards the oldest with `starting_after`. */
async function walkForward(list: Lister, limit: number): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < PAGE_GUARD; i++) {
    const page = pageOf(
      await list(cursor === undefined ? { limit } : { limit, starting_after: cursor }),
    );
    pages.push(page);
    if (!page.hasMore) return pages;
    cursor = page.ids.at(-1);
    assert.ok(cursor, 'a page with has_more=true is not empty');
  }
  assert.fail('forward walk did not end');
}

/** Walks from just after `from` towards the newest object with `ending_before`. */
async function walkBackward(list: Lister, limit: number, from: string): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor = from;
  for (let i = 0; i < PAGE_GUARD; i++) {
    const page = pageOf(await list({ limit, ending_before: cursor }));
    pages.push(page);
    if (!page.hasMore) return pages;
    const first = page.ids[0];
    assert.ok(first, 'a page with has_more=true is not empty');
    cursor = first;
  }
  assert.fail('backward walk did not end');
}

function assertNewestFirst(pages: Page[]): void {
  const created = pages.flatMap((p) => p.created);
  for (let i = 1; i < created.length; i++) {
    const [prev, cur] = [created[i - 1], created[i]];
    assert.ok(prev !== undefined && cur !== undefined && prev >= cur, `created order at ${i}`);
  }
}

function assertExactlyOnce(visited: string[], all: string[]): void {
  assert.equal(new Set(visited).size, visited.length, 'no object is visited twice');
  assert.deepEqual([...visited].sort(), [...all].sort());
}

function assertPageShapes(pages: Page[], limit: number, total: number, url: string): void {
  const sizes = pages.map((p) => p.ids.length);
  const expected = Array.from({ length: Math.ceil(total / limit) }, (_, i) =>
    Math.min(limit, total - i * limit),
  );
  assert.deepEqual(sizes, expected);
  assert.deepEqual(
    pages.map((p) => p.hasMore),
    expected.map((_, i) => i < expected.length - 1),
  );
  for (const page of pages) {
    assert.equal(page.object, 'list');
    assert.equal(page.url, url);
  }
}

/** The shared checks for one resource's list endpoint over `COUNT` objects. */
function describeListing(
  name: string,
  url: string,
  setup: () => Promise<{ list: Lister; created: string[]; autoPage: () => Promise<Listed[]> }>,
): void {
  describe(name, () => {
    let list: Lister;
    let created: string[];
    let autoPage: () => Promise<Listed[]>;
    let order: string[];

    before(async () => {
      ({ list, created, autoPage } = await setup());
      order = (await walkForward(list, 100)).flatMap((p) => p.ids);
    });

    it(`walking forward with starting_after and limit 100 visits all ${COUNT} once, newest first`, async () => {
      const pages = await walkForward(list, 100);

      assertPageShapes(pages, 100, COUNT, url);
      assertNewestFirst(pages);
      assertExactlyOnce(
        pages.flatMap((p) => p.ids),
        created,
      );
    });

    for (const limit of [7, 50]) {
      it(`walking forward with limit ${limit} gives the same order and an exact has_more`, async () => {
        const pages = await walkForward(list, limit);

        assertPageShapes(pages, limit, COUNT, url);
        assert.deepEqual(
          pages.flatMap((p) => p.ids),
          order,
        );
      });
    }

    for (const limit of [100, 7]) {
      it(`walking backward with ending_before and limit ${limit} visits the rest once`, async () => {
        const oldest = order.at(-1);
        assert.ok(oldest);
        const pages = await walkBackward(list, limit, oldest);

        assertPageShapes(pages, limit, COUNT - 1, url);
        // Each page holds the `limit` objects just newer than the cursor, still newest first.
        let end = COUNT - 1;
        for (const page of pages) {
          const start = Math.max(0, end - limit);
          assert.deepEqual(page.ids, order.slice(start, end));
          end = start;
        }
        assertExactlyOnce([oldest, ...pages.flatMap((p) => p.ids)], created);
      });
    }

    it('objects created in the same second list newest first in creation order', () => {
      assert.deepEqual(order, [...created].reverse());
    });

    it('listing twice gives the same order', async () => {
      const again = (await walkForward(list, 100)).flatMap((p) => p.ids);
      assert.deepEqual(again, order);
    });

    it('starting_after and ending_before exclude the cursor', async () => {
      const [at9, at13] = [order[9], order[13]];
      assert.ok(at9 && at13);
      const forward = await list({ limit: 3, starting_after: at9 });
      const backward = await list({ limit: 3, ending_before: at13 });

      assert.deepEqual(
        forward.data.map((o) => o.id),
        order.slice(10, 13),
      );
      assert.deepEqual(
        backward.data.map((o) => o.id),
        order.slice(10, 13),
      );
      assert.equal(forward.has_more, true);
      assert.equal(backward.has_more, true);
    });

    it('without limit a page holds 10 objects', async () => {
      const page = await list({});
      assert.deepEqual(
        page.data.map((o) => o.id),
        order.slice(0, 10),
      );
      assert.equal(page.has_more, true);
      assert.equal(page.url, url);
    });

    it('a limit of 101 gives 400 (StripeInvalidRequestError) naming limit', async () => {
      const err = await expectRejection(
        list({ limit: 101 }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(err.statusCode, 400);
      assert.equal(err.param, 'limit');
    });

    it('a limit of 0 gives 400 naming limit', async () => {
      const err = await expectRejection(
        list({ limit: 0 }),
        Stripe.errors.StripeInvalidRequestError,
      );
      assert.equal(err.statusCode, 400);
      assert.equal(err.param, 'limit');
    });

    it(`SDK auto-pagination returns all ${COUNT} in list order`, async () => {
      const all = await autoPage();
      assert.deepEqual(
        all.map((o) => o.id),
        order,
      );
    });
  });
}

describe('sandbox pagination', () => {
  const t = useTestSandbox({}, { resetEach: false });

  describeListing('GET /v1/payment_intents for one customer', '/v1/payment_intents', async () => {
    await resetSandbox(t.sandbox);
    const customer = await t.stripe.customers.create({ email: 'many@example.com' });
    const other = await t.stripe.customers.create({ email: 'other@example.com' });
    const created: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const pi = await t.stripe.paymentIntents.create({
        amount: 1000 + i,
        currency: 'usd',
        customer: customer.id,
        metadata: { seq: String(i) },
      });
      created.push(pi.id);
      // Another customer's PaymentIntents are interleaved and must never show up.
      if (i % 50 === 0) {
        await t.stripe.paymentIntents.create({ amount: 999, currency: 'usd', customer: other.id });
      }
    }
    const list: Lister = (params) =>
      t.stripe.paymentIntents.list({ customer: customer.id, ...params });
    const autoPage = () =>
      t.stripe.paymentIntents
        .list({ customer: customer.id, limit: 100 })
        .autoPagingToArray({ limit: 1000 });
    return { list, created, autoPage };
  });

  describeListing('GET /v1/customers', '/v1/customers', async () => {
    await resetSandbox(t.sandbox);
    const created: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const customer = await t.stripe.customers.create({ email: `c${i}@example.com` });
      created.push(customer.id);
    }
    const list: Lister = (params) => t.stripe.customers.list(params);
    const autoPage = () =>
      t.stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    return { list, created, autoPage };
  });

  describe('SDK auto-pagination backwards', () => {
    it('with ending_before it yields every newer PaymentIntent, oldest first', async () => {
      await resetSandbox(t.sandbox);
      const customer = await t.stripe.customers.create({});
      for (let i = 0; i < 25; i++) {
        await t.stripe.paymentIntents.create({
          amount: 500 + i,
          currency: 'usd',
          customer: customer.id,
        });
      }
      const forward = await t.stripe.paymentIntents
        .list({ customer: customer.id, limit: 100 })
        .autoPagingToArray({ limit: 1000 });
      const order = forward.map((pi) => pi.id);
      const oldest = order.at(-1);
      assert.ok(oldest);
      assert.equal(order.length, 25);

      const walked = await t.stripe.paymentIntents
        .list({ customer: customer.id, limit: 4, ending_before: oldest })
        .autoPagingToArray({ limit: 1000 });
      assert.deepEqual(
        walked.map((pi) => pi.id),
        order.slice(0, -1).reverse(),
      );
    });
  });

  describe('created filters on GET /v1/payment_intents', () => {
    let customer: string;
    let pis: Stripe.PaymentIntent[];

    before(async () => {
      await resetSandbox(t.sandbox);
      customer = (await t.stripe.customers.create({})).id;
      pis = [];
      // Three batches at least one second apart give three distinct `created` values.
      for (let batch = 0; batch < 3; batch++) {
        if (batch > 0) await sleep(1100);
        for (let i = 0; i < 3; i++) {
          pis.push(
            await t.stripe.paymentIntents.create({ amount: 700, currency: 'usd', customer }),
          );
        }
      }
    });

    const ops = ['gt', 'gte', 'lt', 'lte'] as const;
    const keep = {
      gt: (c: number, t0: number) => c > t0,
      gte: (c: number, t0: number) => c >= t0,
      lt: (c: number, t0: number) => c < t0,
      lte: (c: number, t0: number) => c <= t0,
    };

    it('the PaymentIntents span at least three seconds', () => {
      assert.ok(new Set(pis.map((pi) => pi.created)).size >= 3);
    });

    for (const op of ops) {
      it(`created[${op}] keeps exactly the matching PaymentIntents, newest first`, async () => {
        for (const t0 of new Set(pis.map((pi) => pi.created))) {
          const range: Stripe.RangeQueryParam = {};
          range[op] = t0;
          const page = await t.stripe.paymentIntents.list({ customer, created: range, limit: 100 });
          const expected = pis
            .filter((pi) => keep[op](pi.created, t0))
            .map((pi) => pi.id)
            .reverse();
          assert.deepEqual(
            page.data.map((pi) => pi.id),
            expected,
            `created[${op}]=${t0}`,
          );
          assert.equal(page.has_more, false);
        }
      });
    }

    it('created[gte] and created[lt] together give a half-open range', async () => {
      const times = [...new Set(pis.map((pi) => pi.created))].sort((a, b) => a - b);
      const [lo, hi] = [times[0], times.at(-1)];
      assert.ok(lo !== undefined && hi !== undefined);
      const page = await t.stripe.paymentIntents.list({
        customer,
        created: { gte: lo, lt: hi },
        limit: 100,
      });
      const expected = pis
        .filter((pi) => pi.created >= lo && pi.created < hi)
        .map((pi) => pi.id)
        .reverse();
      assert.deepEqual(
        page.data.map((pi) => pi.id),
        expected,
      );
      assert.ok(expected.length >= 3);
    });

    it('a created filter combines with limit and starting_after', async () => {
      const oldestTime = Math.min(...pis.map((pi) => pi.created));
      const matching = pis
        .filter((pi) => pi.created > oldestTime)
        .map((pi) => pi.id)
        .reverse();
      const walked: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await t.stripe.paymentIntents.list({
          customer,
          created: { gt: oldestTime },
          limit: 2,
          ...(cursor === undefined ? {} : { starting_after: cursor }),
        });
        walked.push(...page.data.map((pi) => pi.id));
        if (!page.has_more) break;
        cursor = page.data.at(-1)?.id;
      }
      assert.deepEqual(walked, matching);
    });
  });
});
