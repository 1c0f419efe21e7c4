import { ApiError } from '../api/api-error';

/** A failed call as the operator sees it: the envelope's message, its code and the request id to quote. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : undefined;
  const message = apiError?.message ?? (error instanceof Error ? error.message : String(error));
  return (
    <div className="notice notice--error" role="alert">
      {title && <strong className="notice__title">{title}</strong>}
      <span className="notice__message">{message}</span>
      {apiError && (
        <span className="notice__meta">
          {apiError.code} · request id <code>{apiError.requestId}</code>
        </span>
      )}
      {apiError && fieldErrors(apiError).length > 0 && (
        <ul className="notice__fields">
          {fieldErrors(apiError).map((detail) => (
            <li key={`${detail.path}:${detail.message}`}>
              <code>{detail.path || '/'}</code> {detail.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export interface FieldError {
  path: string;
  message: string;
}

/** `details` of a 400 VALIDATION_FAILED: `[{path: "/config/base_url", message}]`. */
export function fieldErrors(error: unknown): FieldError[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return [];
  return error.details.filter((d): d is FieldError => typeof d === 'object' && d !== null && typeof (d as FieldError).message === 'string').map((d) => ({ path: String(d.path ?? ''), message: d.message }));
}
