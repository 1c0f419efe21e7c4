import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { ErrorNotice } from './error-notice';

export interface ReasonDialogProps {
  title: string;
  /** What will happen, in one or two sentences. */
  description?: ReactNode;
  confirmLabel: string;
  /** Extra fields of the action, rendered above the reason. */
  children?: ReactNode;
  danger?: boolean;
  /** Runs the mutation with the reason; the dialog closes when it resolves and shows the error when it rejects. */
  onConfirm: (reason: string) => Promise<unknown>;
  onClose: () => void;
}

/**
 * Every mutation of the console goes through this dialog: the reason is required (control-api
 * audits it and refuses a change without one), the envelope's error is shown in place.
 */
export function ReasonDialog({ title, description, confirmLabel, children, danger, onConfirm, onClose }: ReasonDialogProps) {
  const titleId = useId();
  const reasonId = useId();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [pending, setPending] = useState(false);
  const [touched, setTouched] = useState(false);
  const reasonRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !pending) onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose, pending]);

  const missing = reason.trim() === '';

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setTouched(true);
    if (missing) {
      reasonRef.current?.focus();
      return;
    }
    setPending(true);
    setError(undefined);
    try {
      await onConfirm(reason.trim());
      onClose();
    } catch (failure) {
      setError(failure);
    } finally {
      setPending(false);
    }
  };

  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <h2 className="dialog__title" id={titleId}>
          {title}
        </h2>
        {description && <div className="dialog__description">{description}</div>}
        <form className="form" onSubmit={submit} noValidate>
          {children}
          <div className="form__field">
            <label htmlFor={reasonId}>Reason (recorded in the audit log)</label>
            <textarea id={reasonId} ref={reasonRef} name="reason" rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} aria-invalid={touched && missing} autoFocus />
            {touched && missing && (
              <span className="form__error" role="alert">
                A reason is required
              </span>
            )}
          </div>
          <ErrorNotice error={error} />
          <div className="dialog__actions">
            <button type="button" className="button" onClick={onClose} disabled={pending}>
              Cancel
            </button>
            <button type="submit" className={`button ${danger ? 'button--danger' : 'button--primary'}`} disabled={pending}>
              {pending ? 'Working…' : confirmLabel}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
