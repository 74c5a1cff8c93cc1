/**
 * Example values for the OpenAPI document. The ids are made up but shaped like Stripe's, so every
 * example passes the schema it illustrates (test/http/openapi.test.ts checks that).
 */

export const EXAMPLE_CUSTOMER_ID = 'cus_QfExampleCustomer1';
export const EXAMPLE_PAYMENT_INTENT_ID = 'pi_3QfExamplePayment01';
export const EXAMPLE_DECLINED_PAYMENT_INTENT_ID = 'pi_3QfExamplePayment02';
export const EXAMPLE_REQUEST_ID = 'req_5b0c8e2f9a4d4e7b8c1a6f3d2e9b7a40';

/** A registration with Stripe's `tok_visa` test token (4242 4242 4242 4242). */
export const REGISTER_CUSTOMER_EXAMPLE = {
  email: 'ada@example.com',
  stripeCreditCardToken: 'tok_visa',
};

export const CUSTOMER_CREATED_EXAMPLE = { stripeCustomerID: EXAMPLE_CUSTOMER_ID };

/** $19.99, in cents. */
export const CHARGE_EXAMPLE = { stripeCustomerID: EXAMPLE_CUSTOMER_ID, amount: 1999 };

export const CHARGE_CREATED_EXAMPLE = {
  paymentIntentID: EXAMPLE_PAYMENT_INTENT_ID,
  status: 'succeeded',
  amount: 1999,
  currency: 'usd',
};

/** Newest first: a successful charge after a declined one. */
export const HISTORY_EXAMPLE = {
  payments: [
    {
      id: EXAMPLE_PAYMENT_INTENT_ID,
      amount: 1999,
      currency: 'usd',
      status: 'succeeded',
      created: '2025-03-14T09:26:53.000Z',
    },
    {
      id: EXAMPLE_DECLINED_PAYMENT_INTENT_ID,
      amount: 1999,
      currency: 'usd',
      status: 'requires_payment_method',
      created: '2025-03-14T09:25:10.000Z',
    },
  ],
};

export const EMPTY_HISTORY_EXAMPLE = { payments: [] };
