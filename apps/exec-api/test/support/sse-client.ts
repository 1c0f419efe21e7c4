import { get, type IncomingHttpHeaders, type IncomingMessage, type ClientRequest } from 'node:http';
import { eventually } from './exec-stack';

export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/** A minimal SSE client over node:http: collects every message and comment, and closes cleanly. */
export class SseClient {
  readonly messages: SseMessage[] = [];
  private buffer = '';
  private ended = false;

  private constructor(
    private readonly req: ClientRequest,
    readonly res: IncomingMessage,
  ) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => this.push(chunk));
    res.on('close', () => (this.ended = true));
  }

  static open(url: string, headers: Record<string, string>): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => resolve(new SseClient(req, res)));
      req.on('error', reject);
    });
  }

  get status(): number {
    return this.res.statusCode ?? 0;
  }

  get headers(): IncomingHttpHeaders {
    return this.res.headers;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** The events received: `id:` line, `event:` line and the parsed data. */
  events(): Array<{ sseId: string; type: string; event: { id: string; type: string; job_id: string | null; execution_id: string | null; data: Record<string, unknown> } }> {
    return this.messages.filter((m) => m.data !== undefined).map((m) => ({ sseId: m.id ?? '', type: m.event ?? '', event: JSON.parse(m.data ?? '{}') }));
  }

  eventIds(): string[] {
    return this.events().map((e) => e.event.id);
  }

  async waitForEvents(count: number, timeoutMs = 5000): Promise<void> {
    await eventually(async () => expect(this.events().length).toBeGreaterThanOrEqual(count), timeoutMs);
  }

  /** Reads the raw body of a non-SSE (error) answer. */
  async text(): Promise<string> {
    await eventually(async () => expect(this.ended).toBe(true));
    return this.buffer;
  }

  async close(): Promise<void> {
    if (this.ended) return;
    const done = new Promise<void>((resolve) => this.res.once('close', () => resolve()));
    this.req.destroy();
    await done;
  }

  private push(chunk: string): void {
    if (this.status !== 200) {
      this.buffer += chunk;
      return;
    }
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n\n'); end !== -1; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const message: SseMessage = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) message.comment = line.slice(1).trim();
        else {
          const colon = line.indexOf(':');
          const field = line.slice(0, colon) as keyof SseMessage;
          message[field] = line.slice(colon + 1).replace(/^ /, '');
        }
      }
      this.messages.push(message);
    }
  }
}
