/** The console's only way to the sandbox: the documented control API, answered in the Yandex envelope. */

/**
 * The control token, when the sandbox has one (SANDBOX_CONTROL_TOKEN): given once in the address
 * (`/__sandbox/console/?token=…`), kept for the tab's life, and sent with every call.
 */
function controlToken(): string | null {
  const given = new URLSearchParams(location.search).get('token');
  if (given) sessionStorage.setItem('sandbox-control-token', given);
  return given ?? sessionStorage.getItem('sandbox-control-token');
}

/** A control API address as links, images and the event stream use it: with the token in the query, when there is one. */
export function withToken(path: string): string {
  const token = controlToken();
  return token ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : path;
}

/** A call the sandbox refused, in its own words (a 400 names the field). */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Envelope<T> {
  status?: 'OK' | 'ERROR';
  result?: T;
  errors?: { code: string; message: string }[];
}

async function call<T>(method: string, path: string, body?: BodyInit, contentType?: string): Promise<T> {
  let response: Response;
  try {
    const token = controlToken();
    const headers: Record<string, string> = {
      ...(contentType ? { 'content-type': contentType } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    };
    response = await fetch(path, { method, body, headers });
  } catch {
    throw new ControlError(0, 'the sandbox does not answer: is it running?');
  }
  const text = await response.text();
  let envelope: Envelope<T>;
  try {
    envelope = JSON.parse(text) as Envelope<T>;
  } catch {
    if (response.ok) return text as T;
    throw new ControlError(response.status, `HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
  if (!response.ok || envelope.status === 'ERROR') {
    const message = envelope.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`;
    throw new ControlError(response.status, message);
  }
  return envelope.result as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body: object = {}) => call<T>('POST', path, JSON.stringify(body), 'application/json');
export const postForm = <T>(path: string, form: FormData) => call<T>('POST', path, form);
export const putText = <T>(path: string, text: string, contentType: string) => call<T>('PUT', path, text, contentType);

/** A query string of the values given (undefined and empty ones left out). */
export function query(values: Record<string, string | number | undefined>): string {
  const given = Object.entries(values).filter(([, v]) => v !== undefined && v !== '') as [string, string | number][];
  return given.length ? `?${new URLSearchParams(given.map(([k, v]) => [k, String(v)])).toString()}` : '';
}
