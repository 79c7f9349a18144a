/** The vendor's error shape, so a client reads the proxy's own refusals the way it reads the vendor's. */
export interface ProxyErrorBody {
  error: {
    /** A stable, machine-readable reason, e.g. `'body_too_large'`. */
    code: string;
    /** The broad category, e.g. `'invalid_request'`. */
    type: string;
    /** A sentence a person can act on. Never contains the API key. */
    message: string;
  };
}

/** A JSON response that no cache keeps: task states change, and a generate answer is one person's. */
export function jsonResponse(status: number, body: unknown, headers?: Record<string, string>): Response {
  return Response.json(body, {
    status,
    headers: { ...headers, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
  });
}

/** A refusal in the vendor's `{ error: { code, type, message } }` shape. */
export function errorResponse(
  status: number,
  code: string,
  type: string,
  message: string,
  headers?: Record<string, string>,
): Response {
  const body: ProxyErrorBody = { error: { code, type, message } };
  return jsonResponse(status, body, headers);
}

/**
 * The answer when app code (`authorize`, `transformInput`, a handler) throws. The client gets none
 * of the error, which may hold anything; the server's log gets all of it, or nobody could debug it.
 */
export function internalError(error: unknown): Response {
  console.error('flash-image-react/server:', error);
  return errorResponse(500, 'internal_error', 'server_error', 'Internal server error.');
}
