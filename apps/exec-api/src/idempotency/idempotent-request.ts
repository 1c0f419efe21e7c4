import { IdempotencyService } from '@orch/execution';

/** What goes back to the client: the body is already serialised, so a replay sends the very same bytes. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the work of an idempotent request produced, and whether a repeat should replay it. */
export interface IdempotentWorkResult {
  answer: HttpAnswer;
  /**
   * true: the answer is final for this key and is stored for replay. false: the key is released
   * so the client may retry with it (refused before anything happened: rate limit, quota…).
   */
  store: boolean;
}

export interface IdempotentRequest {
  workspaceId: string;
  /** e.g. `POST /v1/jobs`: keys are scoped by (workspace, endpoint, key). */
  endpoint: string;
  /** The raw `Idempotency-Key` header values (headersDistinct keeps a repeated header as two values). */
  rawKey: string | string[] | undefined;
  /** The validated request body; its fingerprint tells a repeat from a reuse with another body. */
  body: unknown;
}

/**
 * The Idempotency-Key protocol shared by every POST of exec-api (DESIGN §4, docs/05_idempotency.md):
 * without a key the work simply runs. With one: claim → work → store (or release) ; a repeat of a
 * completed key replays the stored answer with `Idempotent-Replayed: true`. Work that throws
 * (validation, unexpected failures) stores nothing and releases the key.
 *
 * `work` receives the validated key (undefined without one), e.g. as the basis of an upstream key.
 */
export async function handleIdempotently(
  idempotency: IdempotencyService,
  request: IdempotentRequest,
  work: (key: string | undefined) => Promise<IdempotentWorkResult>,
): Promise<HttpAnswer> {
  const key = IdempotencyService.validateKey(request.rawKey);
  if (key === undefined) return (await work(undefined)).answer;

  const begun = await idempotency.begin({ workspaceId: request.workspaceId, endpoint: request.endpoint, key, fingerprint: idempotency.fingerprint(request.body) });
  if (begun.kind === 'replay') {
    return { status: begun.status, headers: { ...begun.headers, 'Idempotent-Replayed': 'true' }, body: storedBody(begun.body) };
  }
  let result: IdempotentWorkResult;
  try {
    result = await work(key);
  } catch (error) {
    // Invalid requests and unexpected failures store nothing: the key stays usable.
    await idempotency.release(begun.claim);
    throw error;
  }
  if (result.store) {
    await idempotency.complete(begun.claim, { status: result.answer.status, body: result.answer.body, headers: result.answer.headers });
  } else {
    await idempotency.release(begun.claim);
  }
  return result.answer;
}

/** Bodies are stored as the exact JSON text sent (jsonb would reorder keys); older rows may hold an object. */
function storedBody(body: unknown): string {
  return typeof body === 'string' ? body : JSON.stringify(body);
}
