import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PaymentsService } from '../../payments/service.ts';
import { CUSTOMER_CREATED_EXAMPLE, EXAMPLE_CUSTOMER_ID } from '../examples.ts';
import {
  ACCESS_ERRORS,
  IDEMPOTENT_POST_ERRORS,
  invalidFields,
  jsonResponse,
  problemResponses,
  REPLAYED_HEADER,
} from '../responses.ts';
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
        operationId: 'registerCustomer',
        tags: ['customers'],
        summary: 'Register a customer with a card',
        description:
          'Creates a Stripe customer with this email whose default payment method is the card: ' +
          'a PaymentMethod is made from the token (a `pm_...` id is accepted as it is) and ' +
          'becomes `invoice_settings.default_payment_method`. An email belongs to one live ' +
          'customer only.',
        body: RegisterCustomerBody,
        headers: IdempotencyHeaders,
        response: {
          201: jsonResponse(CustomerCreatedResponse, {
            description: 'The customer was created.',
            headers: REPLAYED_HEADER,
            examples: { created: { summary: 'A new customer', value: CUSTOMER_CREATED_EXAMPLE } },
          }),
          ...problemResponses(
            {
              ...ACCESS_ERRORS,
              invalid_request: invalidFields('email', 'stripeCreditCardToken'),
              token_already_used: { param: 'stripeCreditCardToken' },
              token_invalid: { param: 'stripeCreditCardToken' },
              card_declined: { declineCode: 'generic_decline' },
              expired_card: { declineCode: 'expired_card' },
              incorrect_cvc: { declineCode: 'incorrect_cvc' },
              processing_error: { declineCode: 'processing_error' },
              customer_exists: { stripeCustomerID: EXAMPLE_CUSTOMER_ID },
              ...IDEMPOTENT_POST_ERRORS,
            },
            { idempotent: true },
          ),
        },
      },
    },
    async (request, reply) => {
      const answer = await payments.registerCustomer({
        email: request.body.email,
        stripeCreditCardToken: request.body.stripeCreditCardToken,
        idempotencyKey: request.headers['idempotency-key'] ?? null,
        // The caller's API key label: keys of different clients never collide.
        caller: request.apiClient,
      });
      return sendAnswer(reply, answer);
    },
  );
};
