import type { Route } from '../context.ts';
import { chargeRoutes } from './charges.ts';
import { customerRoutes } from './customers.ts';
import { paymentIntentRoutes } from './payment-intents.ts';
import { paymentMethodRoutes } from './payment-methods.ts';
import { sourceRoutes } from './sources.ts';
import { tokenRoutes } from './tokens.ts';

/** Every `/v1` route the sandbox serves. */
export const ROUTES: readonly Route[] = [
  ...tokenRoutes,
  ...paymentMethodRoutes,
  ...customerRoutes,
  ...sourceRoutes,
  ...paymentIntentRoutes,
  ...chargeRoutes,
];
