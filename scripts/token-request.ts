/**
 * What `npm run token` is asked for, and how it gets the token from Stripe. Kept apart from the
 * command line so the rules read on their own: a test token name is checked and printed as is
 * (Stripe's magic test tokens are reusable), a card number is turned into a fresh single-use token.
 */
import type Stripe from 'stripe';

/** A magic test token by name (`tok_visa`), or a card number to mint a token from. */
export type TokenRequest = { kind: 'name'; token: string } | { kind: 'number'; number: string };

/** The argument or Stripe's answer to it cannot give a token; the message says why. */
export class BadInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadInputError';
  }
}

// Card numbers are 12 to 19 digits (ISO/IEC 7812); spaces and dashes are how people write them.
const CARD_NUMBER = /^\d{12,19}$/;
const TOKEN_NAME = /^(tok_)?[A-Za-z][A-Za-z0-9_]{0,99}$/;

/**
 * Reads the one command-line argument: `visa` or `tok_visa` names a test token, `4242 4242 4242
 * 4242` is a card number.
 *
 * @throws BadInputError for a missing, extra or unreadable argument.
 */
export function parseTokenRequest(args: readonly string[]): TokenRequest {
  const [arg, ...extra] = args;
  if (arg === undefined || extra.length > 0) {
    throw new BadInputError(
      'usage: npm run token -- <card number | test token name>, e.g. 4242424242424242 or visa',
    );
  }
  const digits = arg.replace(/[\s-]/g, '');
  if (/^\d+$/.test(digits)) {
    if (!CARD_NUMBER.test(digits)) {
      throw new BadInputError(`a card number has 12 to 19 digits, got ${digits.length}`);
    }
    return { kind: 'number', number: digits };
  }
  if (TOKEN_NAME.test(arg)) {
    return { kind: 'name', token: arg.startsWith('tok_') ? arg : `tok_${arg}` };
  }
  throw new BadInputError(
    `"${arg}" is neither a card number nor a test token name (such as visa or tok_visa)`,
  );
}

/** The part of the SDK this needs, so tests and callers can pass any Stripe-compatible client. */
export type TokenApi = Pick<Stripe['tokens'], 'create' | 'retrieve'>;

/**
 * Gets the token id to print. A name is retrieved first, so a typo is reported rather than handed
 * to the API; a number is tokenized with an expiry in December of next year and CVC 123, the
 * values Stripe's testing guide suggests for test cards.
 *
 * @throws BadInputError when Stripe refuses the card or does not know the token.
 */
export async function fetchToken(tokens: TokenApi, request: TokenRequest, now: Date) {
  try {
    if (request.kind === 'name') {
      const token = await tokens.retrieve(request.token);
      if (token.used) throw new BadInputError(`${request.token} has already been used`);
      return request.token;
    }
    const token = await tokens.create({
      card: {
        number: request.number,
        exp_month: '12',
        exp_year: String(now.getUTCFullYear() + 1),
        cvc: '123',
      },
    });
    return token.id;
  } catch (error) {
    throw refusalOf(error, request) ?? error;
  }
}

/** Stripe's answer to a bad argument as a BadInputError; undefined for any other failure. */
function refusalOf(error: unknown, request: TokenRequest): BadInputError | undefined {
  if (error instanceof BadInputError) return error;
  if (!(error instanceof Error) || !('type' in error)) return undefined;
  if (request.kind === 'name' && 'code' in error && error.code === 'resource_missing') {
    return new BadInputError(
      `no test token named ${request.token} (try visa, mastercard or chargeCustomerFail)`,
    );
  }
  if (error.type === 'StripeCardError' || error.type === 'StripeInvalidRequestError') {
    return new BadInputError(`Stripe refused it: ${error.message}`);
  }
  return undefined;
}
