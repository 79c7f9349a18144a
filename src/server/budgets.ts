import { errorResponse } from './json-response.js';
import type { BudgetLimiter } from './types.js';

/** How long a limiter may take to answer before it counts as failed: a store that hangs must not hold requests. */
export const LIMITER_TIMEOUT_MS = 5000;

/** A limiter's answer, or a rejection once `LIMITER_TIMEOUT_MS` has passed. */
function inTime(call: Promise<unknown>): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(reject, LIMITER_TIMEOUT_MS, new Error(`no answer in ${LIMITER_TIMEOUT_MS} ms`));
  });
  return Promise.race([call, late]).finally(() => clearTimeout(timer));
}

/** One point to take: from which limiter, under which key, and the refusal code when none is left. */
export type Charge = [limiter: BudgetLimiter | undefined, key: string, code: string, message: string];

/** Gives back the points of charges that were taken. A failing store is logged: the points stay spent. */
export async function refund(charges: readonly Charge[]): Promise<void> {
  await Promise.all(
    charges.map(([limiter, key]) =>
      limiter && inTime(limiter.reward(key, 1)).catch((error: unknown) => console.error('flash-image-react/server: budget reward failed:', error)),
    ),
  );
}

/**
 * Takes a point for each charge in turn. Answers with the list taken (for a refund later), or with
 * the refusal: 429 with `Retry-After` when a budget is spent, 503 when a limiter fails or does not
 * answer in time (its store is down). Either way, points already taken are given back, so a
 * limiter's count stays the number of requests let through (less those given back).
 */
export async function charge(charges: readonly Charge[]): Promise<Charge[] | Response> {
  const taken: Charge[] = [];
  for (const item of charges) {
    const [limiter, key, code, message] = item;
    if (!limiter) continue;
    try {
      await inTime(limiter.consume(key, 1));
      taken.push(item);
    } catch (reason) {
      const wait = (reason as { msBeforeNext?: unknown } | null)?.msBeforeNext;
      if (reason instanceof Error || typeof wait !== 'number') {
        await refund(taken);
        // Fails closed: a paid request that cannot be counted is not sent.
        console.error('flash-image-react/server: budget limiter failed, request refused:', reason);
        return errorResponse(503, 'budget_unavailable', 'server_error', 'Budget check failed. Try again later.');
      }
      // A refused attempt still counted (rate-limiter-flexible counts past the limit): undone too,
      // or points given back later for refused generations would only pay off the excess.
      await refund([...taken, item]);
      return errorResponse(429, code, 'rate_limit', message, { 'Retry-After': String(Math.max(1, Math.ceil(wait / 1000) || 0)) });
    }
  }
  return taken;
}
