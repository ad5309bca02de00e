/** The console's only way to the sandbox: the documented control API, answered in the Yandex envelope. */

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
    response = await fetch(path, { method, body, headers: contentType ? { 'content-type': contentType } : {} });
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
