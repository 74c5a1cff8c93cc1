import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { appError } from '../../payments/errors.ts';
import type { PaymentsService } from '../../payments/service.ts';
import {
  CHARGE_CREATED_EXAMPLE,
  EMPTY_HISTORY_EXAMPLE,
  EXAMPLE_DECLINED_PAYMENT_INTENT_ID,
  HISTORY_EXAMPLE,
} from '../examples.ts';
import {
  ACCESS_ERRORS,
  type HeaderDoc,
  IDEMPOTENT_POST_ERRORS,
  invalidFields,
  jsonResponse,
  problemResponses,
  REPLAYED_HEADER,
} from '../responses.ts';
import {
  ChargeBody,
  ChargeCreatedResponse,
  HistoryBody,
  HistoryParams,
  HistoryQuery,
  HistoryResponse,
  IdempotencyHeaders,
} from '../schemas.ts';
import { sendAnswer } from './answer.ts';

/** Marks a history served from the ledger while Stripe could not be reached. */
export const STALE_HEADER = 'payments-stale';
/** When a stale history was last brought up to date with Stripe (ISO 8601). */
export const SYNCED_AT_HEADER = 'payments-synced-at';

const STALE_HEADERS: Record<string, HeaderDoc> = {
  'Payments-Stale': {
    type: 'string',
    enum: ['true'],
    description:
      'Present when Stripe could not be reached: the history is the copy the service holds and ' +
      'may miss the latest payments.',
  },
  'Payments-Synced-At': {
    type: 'string',
    description: 'With `Payments-Stale`: when the copy was last brought up to date (ISO 8601).',
  },
};

/** POST /api/payments (charge) and GET /api/payments/:customer_id (history). */
export const paymentRoutes: FastifyPluginAsyncTypebox<{ payments: PaymentsService }> = async (
  app,
  { payments },
) => {
  app.post(
    '/api/payments',
    {
      schema: {
        operationId: 'createPayment',
        tags: ['payments'],
        summary: "Charge a customer's default card",
        description:
          'Creates and confirms a PaymentIntent at once, off-session, in US dollars, with the ' +
          "customer's default payment method. A refused card answers 402 and names the failed " +
          'PaymentIntent, which also shows in the history. Send an `Idempotency-Key` to retry ' +
          'safely: the customer is never charged twice for one key.',
        body: ChargeBody,
        headers: IdempotencyHeaders,
        response: {
          201: jsonResponse(ChargeCreatedResponse, {
            description: 'The payment succeeded.',
            headers: REPLAYED_HEADER,
            examples: { succeeded: { summary: 'A $19.99 charge', value: CHARGE_CREATED_EXAMPLE } },
          }),
          ...problemResponses(
            {
              ...ACCESS_ERRORS,
              invalid_request: invalidFields('amount'),
              card_declined: {
                declineCode: 'insufficient_funds',
                paymentIntentID: EXAMPLE_DECLINED_PAYMENT_INTENT_ID,
              },
              expired_card: {
                declineCode: 'expired_card',
                paymentIntentID: EXAMPLE_DECLINED_PAYMENT_INTENT_ID,
              },
              incorrect_cvc: {
                declineCode: 'incorrect_cvc',
                paymentIntentID: EXAMPLE_DECLINED_PAYMENT_INTENT_ID,
              },
              processing_error: {
                declineCode: 'processing_error',
                paymentIntentID: EXAMPLE_DECLINED_PAYMENT_INTENT_ID,
              },
              authentication_required: {
                declineCode: 'authentication_required',
                paymentIntentID: EXAMPLE_DECLINED_PAYMENT_INTENT_ID,
                clientSecret: `${EXAMPLE_DECLINED_PAYMENT_INTENT_ID}_secret_Example`,
              },
              customer_not_found: {},
              customer_has_no_payment_method: {},
              ...IDEMPOTENT_POST_ERRORS,
            },
            { idempotent: true },
          ),
        },
      },
    },
    async (request, reply) => {
      const answer = await payments.charge({
        stripeCustomerID: request.body.stripeCustomerID,
        amount: request.body.amount,
        idempotencyKey: request.headers['idempotency-key'] ?? null,
        // The caller's API key label: keys of different clients never collide.
        caller: request.apiClient,
      });
      return sendAnswer(reply, answer);
    },
  );

  app.get(
    '/api/payments/:customer_id',
    {
      schema: {
        operationId: 'listPayments',
        tags: ['payments'],
        summary: "List a customer's payments",
        description:
          'Every PaymentIntent the customer ever had, newest first, in one response, including ' +
          'payments made outside this API. No body is needed; one that names a ' +
          '`stripeCustomerID` must name the customer in the path. When Stripe cannot be reached ' +
          "and the customer was listed before, the service's own copy is served with a " +
          '`Payments-Stale` header.',
        params: HistoryParams,
        querystring: HistoryQuery,
        body: HistoryBody,
        response: {
          200: jsonResponse(HistoryResponse, {
            description: "The customer's payments, newest first.",
            headers: STALE_HEADERS,
            examples: {
              payments: { summary: 'Two payments', value: HISTORY_EXAMPLE },
              none: { summary: 'No payments yet', value: EMPTY_HISTORY_EXAMPLE },
            },
          }),
          ...problemResponses({
            ...ACCESS_ERRORS,
            invalid_request: invalidFields('customer_id', 'status'),
            customer_not_found: {},
            payload_too_large: {},
            unsupported_media_type: {},
            internal_error: {},
            stripe_unavailable: {},
          }),
        },
      },
      // Fastify refuses a body schema on HEAD, so HEAD is not derived from this GET (it gets 405).
      exposeHeadRoute: false,
      // No body is the usual case: validate it as an empty object.
      preValidation: async (request) => {
        // Only an absent body: a JSON `null` is a body, and must fail validation like any other.
        if (request.body === undefined) request.body = {};
      },
    },
    async (request, reply) => {
      const customerId = request.params.customer_id;
      const named = request.body.stripeCustomerID;
      if (named !== undefined && named !== customerId) {
        const message = 'must be the customer id in the path, or left out';
        throw appError('invalid_request', {
          fields: { param: 'stripeCustomerID', errors: [{ param: 'stripeCustomerID', message }] },
        });
      }

      const history = await payments.history({ customerId, status: request.query.status });
      if (history.stale) {
        reply.header(STALE_HEADER, 'true');
        if (history.syncedAt !== null) {
          reply.header(SYNCED_AT_HEADER, history.syncedAt.toISOString());
        }
      }
      return {
        payments: history.payments.map((p) => ({
          id: p.id,
          amount: p.amount,
          currency: p.currency,
          status: p.status,
          created: p.created.toISOString(),
        })),
      };
    },
  );
};
