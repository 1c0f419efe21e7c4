import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import { type ReactNode, useMemo } from 'react';
import { fieldErrors } from '../components/error-notice';
import { cspSafeValidator } from './csp-safe-validator';

export interface SchemaFormProps<T> {
  schema: RJSFSchema;
  formData?: T;
  uiSchema?: UiSchema;
  onChange?: (formData: T) => void;
  onSubmit: (formData: T) => void;
  /** A failed save: its VALIDATION_FAILED details are shown on the fields they name (`/config/base_url` with pathPrefix `/config`). */
  serverError?: unknown;
  pathPrefix?: string;
  disabled?: boolean;
  /** The submit row; a default "Save" button otherwise. */
  children?: ReactNode;
  idPrefix?: string;
}

/**
 * The one way the console renders a form from a JSON Schema (connector configs, secrets, policies,
 * operation payloads): rjsf with the CSP-safe validator, browser validation off so the schema's
 * messages show, `x-secret` fields as password inputs, the schema's own `ui:order` honoured.
 */
export function SchemaForm<T>({ schema, formData, uiSchema, onChange, onSubmit, serverError, pathPrefix = '', disabled, children, idPrefix }: SchemaFormProps<T>) {
  const derivedUi = useMemo(() => ({ ...uiSchemaFromSchema(schema), ...uiSchema }), [schema, uiSchema]);
  const extraErrors = useMemo(() => errorSchemaOf(serverError, pathPrefix), [serverError, pathPrefix]);
  return (
    <Form
      className="schema-form"
      schema={schema}
      uiSchema={derivedUi}
      formData={formData}
      validator={cspSafeValidator}
      noHtml5Validate
      showErrorList={false}
      extraErrors={extraErrors}
      disabled={disabled}
      idPrefix={idPrefix}
      onChange={(event) => onChange?.(event.formData as T)}
      onSubmit={(event) => onSubmit(event.formData as T)}
    >
      {children ?? (
        <button type="submit" className="button button--primary" disabled={disabled}>
          Save
        </button>
      )}
    </Form>
  );
}

/** `x-secret` → password widget (write-only, never pre-filled); `ui:order` lifted from the schema. */
export function uiSchemaFromSchema(schema: RJSFSchema): UiSchema {
  const ui: UiSchema = {};
  const order = (schema as Record<string, unknown>)['ui:order'];
  if (Array.isArray(order)) ui['ui:order'] = [...order, '*'];
  const properties = schema.properties ?? {};
  for (const [name, property] of Object.entries(properties)) {
    if (typeof property !== 'object' || property === null) continue;
    const record = property as Record<string, unknown>;
    if (record['x-secret'] === true || record['format'] === 'password' || record['writeOnly'] === true) {
      ui[name] = { 'ui:widget': 'password', 'ui:autocomplete': 'new-password' };
    } else if (record['type'] === 'object' && record['properties']) {
      const nested = uiSchemaFromSchema(record as RJSFSchema);
      if (Object.keys(nested).length > 0) ui[name] = nested;
    }
  }
  return ui;
}

/** The API's field details (`[{path: "/config/base_url", message}]`) as rjsf's errorSchema under a prefix. */
export function errorSchemaOf(error: unknown, pathPrefix: string): ErrorSchema | undefined {
  const details = fieldErrors(error);
  if (details.length === 0) return undefined;
  const root: Record<string, unknown> = {};
  for (const { path, message } of details) {
    if (pathPrefix && !path.startsWith(pathPrefix)) continue;
    const segments = path.slice(pathPrefix.length).split('/').filter(Boolean);
    let node = root;
    for (const segment of segments) node = (node[segment] ??= {}) as Record<string, unknown>;
    const list = (node['__errors'] ??= []) as string[];
    list.push(message);
  }
  return Object.keys(root).length > 0 ? (root as ErrorSchema) : undefined;
}
