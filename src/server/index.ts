export { createProxyHandler } from './create-proxy-handler.js';
export { toNodeHandler, type FetchHandler } from './node.js';
export type { BudgetLimiter, ProxyBudgets, ProxyHandler, ProxyHandlerOptions } from './types.js';
export type { ProxyErrorBody } from './json-response.js';
// For `transformInput` and `authorize` code that refuses with a kind: `throw new ImageGenError({ kind: 'rate_limited', … })`.
export { ImageGenError, type ImageGenErrorInit } from '../core/errors.js';
export type { ImageGenErrorKind } from '../core/types.js';
