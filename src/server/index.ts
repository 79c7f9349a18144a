export { createProxyHandler } from './create-proxy-handler.js';
export { toNodeHandler, type FetchHandler } from './node.js';
export type { BudgetLimiter, ProxyBudgets, ProxyHandler, ProxyHandlerOptions } from './types.js';
export type { ProxyErrorBody } from './json-response.js';
