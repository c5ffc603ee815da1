/** A small HTTP client for the registry API, used by the CLI commands. */
import { CliError, EXIT } from './errors.js';

/** Where the CLI finds the registry unless told otherwise: `herald serve`'s default address. */
export const DEFAULT_REGISTRY = 'http://127.0.0.1:8080';

export interface ClientOptions {
  registry: string;
  token?: string;
}

export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  errors?: Array<{ message: string; pointer: string; line?: number; column?: number; rule: string }>;
}

export class RegistryClient {
  constructor(private readonly options: ClientOptions) {}

  async request<T>(method: string, path: string, body?: { text: string; contentType: string }, accept = 'application/json'): Promise<{ status: number; data: T; text: string }> {
    const res = await this.send(method, path, body, accept);
    const text = await res.text();
    if (!res.ok) throw problemError(res.status, text);
    const isJson = (res.headers.get('Content-Type') ?? '').includes('json');
    return { status: res.status, data: (isJson && text ? JSON.parse(text) : text) as T, text };
  }

  /** The bytes of a GET, or undefined when the registry answers 404 (e.g. one too old to have the route). */
  async download(path: string, accept: string): Promise<Buffer | undefined> {
    const res = await this.send('GET', path, undefined, accept);
    if (res.status === 404) return undefined;
    if (!res.ok) throw problemError(res.status, await res.text());
    return Buffer.from(await res.arrayBuffer());
  }

  private async send(method: string, path: string, body: { text: string; contentType: string } | undefined, accept: string): Promise<Response> {
    const url = new URL(path, this.options.registry.endsWith('/') ? this.options.registry : this.options.registry + '/');
    const headers: Record<string, string> = { Accept: accept };
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    if (body) headers['Content-Type'] = body.contentType;
    try {
      return await fetch(url, { method, headers, body: body?.text });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach the registry at ${this.options.registry}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, EXIT.usage);
    }
  }
}

function problemError(status: number, text: string): CliError {
  let problem: Problem = { status };
  try {
    problem = JSON.parse(text) as Problem;
  } catch {
    problem.detail = text.slice(0, 200);
  }
  const message = problem.detail ?? problem.title ?? `HTTP ${status}`;
  // A server-side failure is not a verdict on the input: like a connection error, retry later.
  return new CliError(message, status >= 500 ? EXIT.usage : EXIT.rejected, problem);
}
