import { useCallback, useEffect, useRef, useState } from 'react';
import { type ExecEvent, STREAM_EVENT_NAMES } from '../api/events';

/** What the hook needs of an EventSource (a fake one in tests). */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onerror: ((event: Event) => void) | null;
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

/** EventSource.CLOSED: the browser gave up (a non-stream answer such as a 403) and will not reconnect. */
const CLOSED = 2;

const browserEventSource: EventSourceFactory = (url) => new EventSource(url) as unknown as EventSourceLike;
let eventSourceFactory: EventSourceFactory = browserEventSource;

/** Swap how streams are opened (component tests use a fake, no network). Returns the undo. */
export function setEventSourceFactory(factory: EventSourceFactory): () => void {
  eventSourceFactory = factory;
  return () => {
    eventSourceFactory = browserEventSource;
  };
}

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface EventStreamOptions {
  /** Lines kept on screen (and in the pause buffer); older ones drop off. */
  max?: number;
}

export interface EventStream {
  status: StreamStatus;
  lines: ExecEvent[];
  paused: boolean;
  /** Events received while paused, shown on resume. */
  buffered: number;
  pause: () => void;
  resume: () => void;
  clear: () => void;
  /** Opens a new connection (after the browser gave up). */
  reconnect: () => void;
}

function keepLast<T>(items: T[], max: number): T[] {
  return items.length > max ? items.slice(items.length - max) : items;
}

function parseEvent(message: MessageEvent): ExecEvent | undefined {
  try {
    const value: unknown = JSON.parse(String(message.data));
    if (typeof value !== 'object' || value === null) return undefined;
    const event = value as Partial<ExecEvent>;
    if (typeof event.type !== 'string') return undefined;
    return { id: String(event.id ?? message.lastEventId ?? ''), type: event.type, job_id: event.job_id ?? null, execution_id: event.execution_id ?? null, data: event.data ?? {}, created_at: event.created_at ?? new Date().toISOString() };
  } catch {
    return undefined;
  }
}

/**
 * A live Server-Sent Events feed of exec-api's events (`url` null: not connected). The browser's
 * EventSource reconnects by itself and repeats the last `id:` as Last-Event-ID, so a resumed stream
 * continues without gaps or repeats. Pausing keeps receiving into a buffer; resuming shows it.
 */
export function useEventStream(url: string | null, { max = 500 }: EventStreamOptions = {}): EventStream {
  const [lines, setLines] = useState<ExecEvent[]>([]);
  const bufferRef = useRef<ExecEvent[]>([]);
  const [buffered, setBuffered] = useState(0);
  const [paused, setPaused] = useState(false);
  const [status, setStatus] = useState<StreamStatus>(url ? 'connecting' : 'closed');
  const [generation, setGeneration] = useState(0);
  const pausedRef = useRef(false);

  useEffect(() => {
    if (!url) {
      setStatus('closed');
      return undefined;
    }
    setStatus('connecting');
    const source = eventSourceFactory(url);
    const onEvent = (message: MessageEvent) => {
      const event = parseEvent(message);
      if (!event) return;
      if (pausedRef.current) {
        bufferRef.current = keepLast([...bufferRef.current, event], max);
        setBuffered(bufferRef.current.length);
      } else setLines((current) => keepLast([...current, event], max));
    };
    // The stream names every event (`event: job.queued`): onmessage alone would hear none of them.
    for (const name of [...STREAM_EVENT_NAMES, 'message']) source.addEventListener(name, onEvent);
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus(source.readyState === CLOSED ? 'closed' : 'reconnecting');
    return () => source.close();
  }, [url, max, generation]);

  const pause = useCallback(() => {
    pausedRef.current = true;
    setPaused(true);
  }, []);

  const resume = useCallback(() => {
    pausedRef.current = false;
    setPaused(false);
    const pending = bufferRef.current;
    bufferRef.current = [];
    setBuffered(0);
    if (pending.length > 0) setLines((current) => keepLast([...current, ...pending], max));
  }, [max]);

  const clear = useCallback(() => {
    setLines([]);
    bufferRef.current = [];
    setBuffered(0);
  }, []);

  const reconnect = useCallback(() => setGeneration((value) => value + 1), []);

  return { status, lines, paused, buffered, pause, resume, clear, reconnect };
}
