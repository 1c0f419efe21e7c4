import { useEffect, useId, useState } from 'react';

export interface JsonEditorProps {
  /** The field's visible label (its accessible name). */
  label: string;
  /** The current value; re-shown when it changes from outside (not while the text does not parse). */
  value: unknown;
  /** Called with the parsed value whenever the text parses. */
  onChange: (value: unknown) => void;
  /** Called with the parse error message, or undefined once the text parses again. */
  onValidityChange?: (error: string | undefined) => void;
  /** Accept only a JSON object (`{…}`); the default. */
  objectOnly?: boolean;
  rows?: number;
  id?: string;
  disabled?: boolean;
  /** Help text under the field. */
  hint?: string;
}

/** Parses JSON text: the value, or a message saying what is wrong. */
export function parseJsonText(text: string, objectOnly = true): { value?: unknown; error?: string } {
  if (text.trim() === '') return { error: 'Enter a JSON value' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (objectOnly && (typeof value !== 'object' || value === null || Array.isArray(value))) return { error: 'Enter a JSON object ({ … })' };
  return { value };
}

/**
 * A labelled textarea holding JSON: for values with no useful JSON Schema (an object schema
 * without properties, a payload schema, a config version). Parse errors are shown under it.
 */
export function JsonEditor({ label, value, onChange, onValidityChange, objectOnly = true, rows = 10, id, disabled, hint }: JsonEditorProps) {
  const generatedId = useId();
  const fieldId = id ?? generatedId;
  const errorId = `${fieldId}-error`;
  const hintId = `${fieldId}-hint`;
  const [text, setText] = useState(() => stringify(value));
  const [error, setError] = useState<string | undefined>(undefined);

  // Follow outside changes of the value unless the operator is mid-edit on text that does not parse.
  useEffect(() => {
    setText((current) => {
      const parsed = parseJsonText(current, objectOnly);
      if (parsed.error === undefined && JSON.stringify(parsed.value) === JSON.stringify(value)) return current;
      return error === undefined ? stringify(value) : current;
    });
  }, [value]);

  const describedBy = [hint ? hintId : undefined, error ? errorId : undefined].filter(Boolean).join(' ') || undefined;

  return (
    <div className="form__field json-editor">
      <label htmlFor={fieldId}>{label}</label>
      <textarea
        id={fieldId}
        className="mono json-editor__text"
        rows={rows}
        spellCheck={false}
        value={text}
        disabled={disabled}
        aria-invalid={error !== undefined}
        aria-describedby={describedBy}
        onChange={(event) => {
          const next = event.target.value;
          setText(next);
          const parsed = parseJsonText(next, objectOnly);
          setError(parsed.error);
          onValidityChange?.(parsed.error);
          if (parsed.error === undefined) onChange(parsed.value);
        }}
      />
      {hint && (
        <span className="muted" id={hintId}>
          {hint}
        </span>
      )}
      {error && (
        <span className="form__error" id={errorId} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function stringify(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}
