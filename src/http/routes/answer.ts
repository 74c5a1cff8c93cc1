import type { FastifyReply } from 'fastify';
import type { Answer } from '../../payments/idempotency.ts';

/** Sends a POST's answer; a stored one is marked the way Stripe marks its replays. */
export function sendAnswer<T>(reply: FastifyReply, answer: Answer<T>): FastifyReply {
  if (answer.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(answer.status).send(answer.body);
}
