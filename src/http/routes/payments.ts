import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { appError } from '../../payments/errors.ts';
import type { PaymentsService } from '../../payments/service.ts';
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

/** POST /api/payments (charge) and GET /api/payments/:customer_id (history). */
export const paymentRoutes: FastifyPluginAsyncTypebox<{ payments: PaymentsService }> = async (
  app,
  { payments },
) => {
  app.post(
    '/api/payments',
    {
      schema: {
        body: ChargeBody,
        headers: IdempotencyHeaders,
        response: { 201: ChargeCreatedResponse },
      },
    },
    async (request, reply) => {
      const answer = await payments.charge({
        stripeCustomerID: request.body.stripeCustomerID,
        amount: request.body.amount,
        idempotencyKey: request.headers['idempotency-key'] ?? null,
      });
      return sendAnswer(reply, answer);
    },
  );

  app.get(
    '/api/payments/:customer_id',
    {
      schema: {
        params: HistoryParams,
        querystring: HistoryQuery,
        body: HistoryBody,
        response: { 200: HistoryResponse },
      },
      // Fastify refuses a body schema on HEAD, so HEAD is not derived from this GET (it gets 405).
      exposeHeadRoute: false,
      // No body is the usual case: validate it as an empty object.
      preValidation: async (request) => {
        request.body ??= {};
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
