/**
 * Alpaca's error shape: an HTTP status and a JSON body `{"code": 40010001, "message": "..."}`. The codes are
 * Alpaca's own (the status followed by a sub-code), so a client adapter tested here meets the same numbers in
 * production. Messages never include a request's credentials.
 */
export class AlpacaApiError extends Error {
  readonly status: number;
  readonly code: number;

  constructor(status: number, code: number, message: string) {
    super(message);
    this.name = 'AlpacaApiError';
    this.status = status;
    this.code = code;
  }

  get body(): { code: number; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** 400: the request itself is malformed (not JSON, wrong types). */
export const badRequest = (message: string): AlpacaApiError => new AlpacaApiError(400, 40010000, message);
/** 401: missing or wrong API key id or secret. The message is fixed: it must not echo what was sent. */
export const unauthorized = (): AlpacaApiError => new AlpacaApiError(401, 40110000, 'request is not authorized');
/** 403: buying power, shares available, or a blocked account. */
export const forbidden = (message: string): AlpacaApiError => new AlpacaApiError(403, 40310000, message);
export const notFound = (message: string): AlpacaApiError => new AlpacaApiError(404, 40410000, message);
/** 422: well-formed but not acceptable (unknown symbol, off-grid price, duplicate client order id). */
export const unprocessable = (message: string): AlpacaApiError => new AlpacaApiError(422, 40010001, message);
/** 422 on an order that is past the point where it can be canceled or replaced. */
export const notModifiable = (message: string): AlpacaApiError => new AlpacaApiError(422, 42210000, message);
export const rateLimited = (): AlpacaApiError => new AlpacaApiError(429, 42910000, 'rate limit exceeded');
