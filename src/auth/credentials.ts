/**
 * Reading the partner's credentials as Market accepts them: `Api-Key: <token>`, or
 * `Authorization: OAuth oauth_token="…", oauth_client_id="…"` (or `OAuth <token>`), or `Authorization: Bearer <token>`.
 */
import { ApiError } from '../contract/errors.js';

export interface Credentials {
  kind: 'api-key' | 'oauth' | 'bearer';
  token: string;
}

const OAUTH_TOKEN = /oauth_token\s*=\s*"([^"]*)"|oauth_token\s*=\s*([^\s,]+)/i;

function fromAuthorization(header: string): Credentials | undefined {
  const [scheme, ...rest] = header.trim().split(/\s+/);
  const value = rest.join(' ');
  if (/^bearer$/i.test(scheme) && value) return { kind: 'bearer', token: value };
  if (/^oauth$/i.test(scheme) && value) {
    const match = OAUTH_TOKEN.exec(value);
    const token = match ? (match[1] ?? match[2]) : value.includes('=') ? '' : value;
    return token ? { kind: 'oauth', token } : undefined;
  }
  return undefined;
}

/** The credentials a request carries; a 401 in Market's words when there are none it can read. */
export function readCredentials(headers: Record<string, string | string[] | undefined>): Credentials {
  const apiKey = headers['api-key'];
  const authorization = headers.authorization;
  if (typeof apiKey === 'string' && apiKey.trim()) return { kind: 'api-key', token: apiKey.trim() };
  if (typeof authorization === 'string' && authorization.trim()) {
    const credentials = fromAuthorization(authorization);
    if (credentials) return credentials;
    throw new ApiError(
      401,
      'Authorization: unreadable credentials; use "Bearer <token>" or OAuth oauth_token="<token>", oauth_client_id="<id>"',
    );
  }
  throw new ApiError(401, 'Api-Key: credentials are missing; send the Api-Key header or an Authorization header');
}
