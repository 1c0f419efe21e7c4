import { ControlClient, normaliseBaseUrl, type RequestOptions } from './control-client';
import { ApiError, CliError, UsageError } from './errors';
import { type CliIo, stripFinalNewline } from './io';
import { readSession, type Session, sessionPath, writeSession } from './session-file';

export const DEFAULT_CONTROL_URL = 'http://127.0.0.1:4000';

export interface OptionDef {
  type: 'string' | 'boolean';
  description: string;
  /** Shown in usage: `--reason <text>`. */
  placeholder?: string;
  short?: string;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandSpec {
  /** One or two words: `login`, `workspace create`. */
  name: string;
  summary: string;
  /** The positional part of the usage line: `<name>`. */
  args?: string[];
  /** Extra lines of --help after the summary. */
  description?: string;
  options: Record<string, OptionDef>;
  run(ctx: CommandContext): Promise<void>;
}

export const GLOBAL_OPTIONS: Record<string, OptionDef> = {
  url: { type: 'string', placeholder: '<url>', description: `control API base URL (default: $ORCH_CONTROL_URL, else the logged-in session's, else ${DEFAULT_CONTROL_URL})` },
  json: { type: 'boolean', description: 'print the raw JSON response' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

/** What login and refresh answer. */
export interface LoginResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token?: string;
  operator?: { id?: string; email?: string; roles?: string[] };
}

/** Refresh this long before the access token expires, so a request never races its expiry. */
const REFRESH_MARGIN_MS = 30_000;

/** Everything a command gets: its parsed arguments, the process, and the control API. */
export class CommandContext {
  private session: Session | undefined | null = null;

  constructor(
    readonly positionals: string[],
    readonly options: OptionValues,
    readonly io: CliIo,
  ) {}

  get json(): boolean {
    return this.options['json'] === true;
  }

  string(name: string): string | undefined {
    const value = this.options[name];
    return typeof value === 'string' ? value : undefined;
  }

  requireString(name: string, why = ''): string {
    const value = this.string(name)?.trim();
    if (!value) throw new UsageError(`--${name} is required${why ? ` (${why})` : ''}`);
    return value;
  }

  /** A secret from `--<flag>`, `--<flag>-stdin`, an environment variable, or a hidden prompt (in that order). */
  async secret(flag: string, options: { env?: string; prompt?: string } = {}): Promise<string> {
    const fromStdin = this.options[`${flag}-stdin`] === true;
    const inline = this.string(flag);
    if (fromStdin && inline !== undefined) throw new UsageError(`use --${flag} or --${flag}-stdin, not both`);
    const value = fromStdin
      ? stripFinalNewline(await this.io.readStdin())
      : (inline ?? (options.env ? this.io.env[options.env] : undefined) ?? (options.prompt ? await this.io.promptSecret(options.prompt) : undefined));
    if (!value) throw new UsageError(`--${flag}${options.env ? `, $${options.env}` : ''} or --${flag}-stdin is required`);
    return value;
  }

  get sessionPath(): string {
    return sessionPath(this.io.env);
  }

  private loadSession(): Session | undefined {
    if (this.session === null) this.session = readSession(this.sessionPath);
    return this.session;
  }

  /** --url, then ORCH_CONTROL_URL, then the session's URL, then the local default. */
  baseUrl(): string {
    const raw = this.string('url') ?? this.io.env['ORCH_CONTROL_URL'] ?? this.loadSessionQuietly()?.url ?? DEFAULT_CONTROL_URL;
    return normaliseBaseUrl(raw);
  }

  private loadSessionQuietly(): Session | undefined {
    try {
      return this.loadSession();
    } catch {
      return undefined;
    }
  }

  client(): ControlClient {
    return new ControlClient(this.baseUrl());
  }

  /** Calls a public route (no operator token). */
  async publicRequest<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return this.client().request<T>(method, path, options);
  }

  /** Calls a route as the logged-in operator, refreshing the access token when it is (about to be) stale. */
  async operatorRequest<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const client = this.client();
    const session = this.requireSession(client.baseUrl);
    let token = session.access_token;
    if (Date.parse(session.expires_at) - REFRESH_MARGIN_MS <= this.io.now()) token = await this.refresh(client, session);
    try {
      return await client.request<T>(method, path, { ...options, token });
    } catch (error) {
      // A token can be refused before its exp (revoked, rotated role): one refresh, one retry.
      if (error instanceof ApiError && error.status === 401 && session.refresh_token && token === session.access_token) {
        return client.request<T>(method, path, { ...options, token: await this.refresh(client, session) });
      }
      throw error;
    }
  }

  private requireSession(baseUrl: string): Session {
    const session = this.loadSession();
    if (!session) throw new CliError(`not logged in: run \`orchctl login --email <you>\` first (no session in ${this.sessionPath})`);
    if (session.url !== baseUrl) throw new CliError(`the saved session belongs to ${session.url}, not ${baseUrl}: run \`orchctl login --url ${baseUrl}\``);
    return session;
  }

  private async refresh(client: ControlClient, session: Session): Promise<string> {
    if (!session.refresh_token) throw new CliError('the session has expired: run `orchctl login` again');
    let response: LoginResponse;
    try {
      response = await client.request<LoginResponse>('POST', '/v1/auth/refresh', { body: { refresh_token: session.refresh_token } });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 400)) throw new CliError(`the session has expired (${error.body.code}): run \`orchctl login\` again`);
      throw error;
    }
    this.saveLogin(client.baseUrl, { ...response, operator: response.operator ?? session.operator });
    return response.access_token;
  }

  /** Keeps the tokens of a login or refresh in the session file (0600). */
  saveLogin(url: string, response: LoginResponse): Session {
    const session: Session = {
      url,
      access_token: response.access_token,
      expires_at: new Date(this.io.now() + response.expires_in * 1000).toISOString(),
      ...(response.refresh_token ? { refresh_token: response.refresh_token } : {}),
      ...(response.operator ? { operator: { id: response.operator.id, email: response.operator.email, roles: response.operator.roles } } : {}),
    };
    writeSession(this.sessionPath, session);
    this.session = session;
    return session;
  }

  printJson(value: unknown): void {
    this.io.out(JSON.stringify(value, null, 2));
  }
}
