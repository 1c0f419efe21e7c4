import { act, configure } from '@testing-library/react';
import { vi } from 'vitest';
import type { ExecEvent } from '../../api/events';
import type { EventSourceLike } from '../../hooks/use-event-stream';
import { TEST_SESSION } from '../../testing/test-utils';

/** Shared stubs of the operations area's component tests. */

/**
 * The first render of a file's routes (rjsf, the whole console) can take seconds on a loaded CI
 * machine: wait longer than testing-library's 1 s default, and give each test room for it.
 */
export function allowSlowRenders(): void {
  configure({ asyncUtilTimeout: 8000 });
  vi.setConfig({ testTimeout: 30_000 });
}
export const WS = '3a690024-ed2a-40b5-8461-aeb9cd7c2721';

export const IMPERSONATING_SESSION = { ...TEST_SESSION, impersonation: { id: 'fd028890-45b6-465b-918c-314342cef2f1', workspace_id: WS, expires_at: '2099-01-01T00:00:00.000Z' } };

/** What every signed-in page asks for: the session, the upstream badge, the workspace switcher. */
export function consoleStubs(session: object = TEST_SESSION) {
  return {
    'GET /api/session': { status: 200, body: session },
    'GET /api/bff/upstreams': { status: 200, body: { control_api: 'up', exec_api: 'up' } },
    'GET /api/control/v1/workspaces': { status: 200, body: { data: [{ id: WS, name: 'acme-dev' }], next_cursor: null } },
  };
}

export function headerOf(init: RequestInit | undefined, name: string): string | undefined {
  return (init?.headers as Record<string, string> | undefined)?.[name];
}

export function bodyOf(init: RequestInit | undefined): unknown {
  return init?.body === undefined ? undefined : JSON.parse(String(init.body));
}

export function envelope(status: number, code: string, message: string, requestId: string, details?: unknown) {
  return { status, body: { error: { code, message, request_id: requestId, ...(details === undefined ? {} : { details }) } } };
}

/** An EventSource without a network: the test opens it, emits named events, fails it. */
export class FakeEventSource implements EventSourceLike {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  private readonly listeners = new Map<string, Array<(event: MessageEvent) => void>>();

  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }

  static latest(): FakeEventSource {
    const latest = FakeEventSource.instances.at(-1);
    if (!latest) throw new Error('no EventSource was opened');
    return latest;
  }

  addEventListener(type: string, listener: (event: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.closed = true;
    this.readyState = 2;
  }

  open(): void {
    act(() => {
      this.readyState = 1;
      this.onopen?.(new Event('open'));
    });
  }

  /** Sends events (in one batch) the way exec-api does: `event: <type>`, `id: <id>`, `data: <json>`. */
  emit(...events: ExecEvent[]): void {
    act(() => {
      for (const event of events) {
        for (const listener of this.listeners.get(event.type) ?? []) listener(new MessageEvent(event.type, { data: JSON.stringify(event), lastEventId: event.id }));
      }
    });
  }

  fail(closed: boolean): void {
    act(() => {
      this.readyState = closed ? 2 : 0;
      this.onerror?.(new Event('error'));
    });
  }
}

export function execEvent(id: number, type: string, extra: Partial<ExecEvent> = {}): ExecEvent {
  return { id: String(id), type, job_id: '7d1f3c2e-4b8a-4f0e-9a51-0c6d2e9b7a10', execution_id: null, data: { n: id }, created_at: '2026-11-27T04:31:02.118Z', ...extra };
}
