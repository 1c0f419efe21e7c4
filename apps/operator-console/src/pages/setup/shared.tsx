import { type InputHTMLAttributes, type ReactNode, useId } from 'react';
import { ADMIN_ROLES, useHasRole } from '../../hooks/use-session';

/** Whether the operator may change a workspace's setup (access rules: ADMIN). The API still decides. */
export function useCanAdmin(): boolean {
  return useHasRole(...ADMIN_ROLES);
}

/** `2026-11-27T02:38:16.531Z` → the operator's local date and time; `—` for none. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

/** A labelled input: the label is the input's accessible name. */
export function TextField({ label, hint, ...input }: { label: string; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="form__field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={hint ? hintId : undefined} {...input} />
      {hint && (
        <span className="muted setup-hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}

/** A labelled select over plain string options. */
export function SelectField({ label, value, onChange, options, hint, disabled, emptyLabel }: { label: string; value: string; onChange: (value: string) => void; options: Array<string | { value: string; label: string }>; hint?: ReactNode; disabled?: boolean; emptyLabel?: string }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="form__field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)} disabled={disabled} aria-describedby={hint ? hintId : undefined}>
        {emptyLabel !== undefined && <option value="">{emptyLabel}</option>}
        {options.map((option) => {
          const { value: optionValue, label: optionLabel } = typeof option === 'string' ? { value: option, label: option } : option;
          return (
            <option key={optionValue} value={optionValue}>
              {optionLabel}
            </option>
          );
        })}
      </select>
      {hint && (
        <span className="muted setup-hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}

/** Integer from an input's text; undefined when empty or not a whole number. */
export function parseInteger(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isInteger(value) ? value : undefined;
}
