import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PaymentsService } from '../../payments/service.ts';
import { CustomerCreatedResponse, IdempotencyHeaders, RegisterCustomerBody } from '../schemas.ts';
import { sendAnswer } from './answer.ts';

/** POST /api/customer: registers a customer with a card as its default payment method. */
export const customerRoutes: FastifyPluginAsyncTypebox<{ payments: PaymentsService }> = async (
  app,
  { payments },
) => {
  app.post(
    '/api/customer',
    {
      schema: {
        body: RegisterCustomerBody,
        headers: IdempotencyHeaders,
        response: { 201: CustomerCreatedResponse },
      },
    },
    async (request, reply) => {
      const answer = await payments.registerCustomer({
        email: request.body.email,
        stripeCreditCardToken: request.body.stripeCreditCardToken,
        idempotencyKey: request.headers['idempotency-key'] ?? null,
      });
      return sendAnswer(reply, answer);
    },
  );
};
