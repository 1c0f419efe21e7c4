import { ariaDescribedByIds, type FieldProps, type RJSFSchema, type UiSchema, type WidgetProps } from '@rjsf/utils';
import { JsonEditor } from '../../components/json-editor';
import { useSecretRefs } from '../../hooks/use-secret-refs';
import { useWorkspaceId } from '../../hooks/use-workspaces';

/**
 * rjsf field for an object the schema leaves open (`{type: "object"}` without properties, e.g. an
 * http operation's `payload_schema`): a JSON textarea, so any object (a JSON Schema) can be typed in.
 */
export function JsonObjectField(props: FieldProps) {
  const { formData, onChange, fieldPathId, schema, name, disabled, readonly, rawErrors } = props;
  const label = typeof schema.title === 'string' ? schema.title : name;
  return (
    <div className="setup-json-field">
      <JsonEditor
        id={fieldPathId.$id}
        label={`${label} (JSON)`}
        value={formData ?? {}}
        rows={6}
        disabled={disabled || readonly}
        hint={typeof schema.description === 'string' ? schema.description : undefined}
        onChange={(value) => onChange(value as Record<string, unknown>, fieldPathId.path)}
      />
      {rawErrors?.map((error) => (
        <span key={error} className="form__error">
          {error}
        </span>
      ))}
    </div>
  );
}

/** rjsf widget of an `x-secret-ref` field: a text input suggesting the workspace's secret ref names. */
export function SecretRefWidget({ id, value, required, disabled, readonly, autofocus, onChange, onBlur, onFocus, options }: WidgetProps) {
  const workspaceId = useWorkspaceId();
  const refs = useSecretRefs(workspaceId, { limit: 200 });
  const listId = `${id}__refs`;
  return (
    <>
      <input
        id={id}
        name={id}
        className="form-control"
        type="text"
        list={listId}
        autoComplete="off"
        value={typeof value === 'string' ? value : ''}
        required={required}
        disabled={disabled}
        readOnly={readonly}
        autoFocus={autofocus}
        aria-describedby={ariaDescribedByIds(id)}
        onChange={(event) => onChange(event.target.value === '' ? options.emptyValue : event.target.value)}
        onBlur={(event) => onBlur(id, event.target.value)}
        onFocus={(event) => onFocus(id, event.target.value)}
      />
      <datalist id={listId}>
        {refs.data?.data.map((ref) => (
          <option key={ref.name} value={ref.name}>
            {ref.ref}
          </option>
        ))}
      </datalist>
    </>
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object schema with no declared properties and no pattern/additional properties: free-form JSON. */
function isOpenObject(schema: Record<string, unknown>): boolean {
  return schema['type'] === 'object' && !isRecord(schema['properties']) && !isRecord(schema['additionalProperties']) && !schema['oneOf'] && !schema['anyOf'];
}

/**
 * The uiSchema of a connector type's config form, derived from its schema (never per type):
 * open objects (an operation's `payload_schema`) become JSON textareas, `x-secret-ref` fields say
 * they hold a ref name; ui:* hints given on properties are kept.
 */
export function connectorUiSchema(schema: Record<string, unknown>): UiSchema {
  const ui: UiSchema = {};
  const properties = isRecord(schema['properties']) ? schema['properties'] : {};
  for (const [name, property] of Object.entries(properties)) {
    if (!isRecord(property)) continue;
    const entry: UiSchema = {};
    for (const [key, value] of Object.entries(property)) if (key.startsWith('ui:')) entry[key] = value;
    if (isOpenObject(property)) entry['ui:field'] = JsonObjectField;
    else if (property['type'] === 'object' && isRecord(property['properties'])) Object.assign(entry, connectorUiSchema(property));
    else if (property['type'] === 'array' && isRecord(property['items'])) {
      const items = property['items'];
      if (isOpenObject(items)) entry['items'] = { 'ui:field': JsonObjectField };
      else if (isRecord(items['properties'])) entry['items'] = connectorUiSchema(items);
    }
    if (Array.isArray(property['oneOf'])) entry['oneOf'] = property['oneOf'].map((branch, index) => optionUiSchema(branch, index, property));
    if (property['x-secret-ref'] === true) {
      if (!entry['ui:help']) entry['ui:help'] = 'The name of a secret ref of this workspace (see Secrets below), never the secret itself.';
      entry['ui:widget'] = SecretRefWidget;
    }
    if (property['x-secret'] === true || property['writeOnly'] === true) {
      entry['ui:widget'] = 'password';
      entry['ui:autocomplete'] = 'new-password';
    }
    if (Object.keys(entry).length > 0) ui[name] = entry;
  }
  const order = schema['ui:order'];
  if (Array.isArray(order)) ui['ui:order'] = [...order.filter((key) => key !== '*'), '*'];
  return ui;
}

/**
 * The uiSchema of one oneOf branch: its title, else the value of its discriminator (`const`)
 * property — `bearer` rather than rjsf's "Option 2" — plus the branch's own field hints.
 */
function optionUiSchema(branch: unknown, index: number, parent: Record<string, unknown>): UiSchema {
  if (!isRecord(branch)) return {};
  const discriminator = isRecord(parent['discriminator']) && typeof parent['discriminator']['propertyName'] === 'string' ? parent['discriminator']['propertyName'] : undefined;
  const properties = isRecord(branch['properties']) ? branch['properties'] : {};
  const constant = Object.entries(properties).find(([name, schema]) => isRecord(schema) && 'const' in schema && (discriminator === undefined || name === discriminator));
  const title = typeof branch['title'] === 'string' ? branch['title'] : constant && isRecord(constant[1]) ? String(constant[1]['const']) : `Option ${index + 1}`;
  return { ...connectorUiSchema(branch), 'ui:title': title };
}

/** A field of the config that names a secret ref (`x-secret-ref: true`), as a JSON Pointer into the config. */
export interface SecretRefField {
  pointer: string;
  name: string;
}

/** Every `x-secret-ref` field of a config schema, through nested objects and oneOf/anyOf branches (not arrays). */
export function secretRefFields(schema: unknown, pointer = ''): SecretRefField[] {
  if (!isRecord(schema)) return [];
  const found: SecretRefField[] = [];
  const properties = isRecord(schema['properties']) ? schema['properties'] : {};
  for (const [name, property] of Object.entries(properties)) {
    if (!isRecord(property)) continue;
    if (property['x-secret-ref'] === true) found.push({ pointer: `${pointer}/${name}`, name });
    else found.push(...secretRefFields(property, `${pointer}/${name}`));
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) for (const branch of branches) found.push(...secretRefFields(branch, pointer));
  }
  const unique = new Map(found.map((field) => [field.pointer, field]));
  return [...unique.values()];
}

/** The value at a JSON Pointer of an object. */
export function valueAt(value: unknown, pointer: string): unknown {
  let node = value;
  for (const segment of pointer.split('/').slice(1)) {
    if (!isRecord(node)) return undefined;
    node = node[segment];
  }
  return node;
}

/**
 * Which config ref field holds the name of the secret a `secret_schema` property is the value of:
 * `<property>_ref` when the config has one (stripe `api_key` → `api_key_ref`), else the config's only
 * ref field (http `credential` → `auth.secret_ref`). Undefined when it cannot be told.
 */
export function refFieldForSecret(secretProperty: string, fields: SecretRefField[]): SecretRefField | undefined {
  return fields.find((field) => field.name === `${secretProperty}_ref`) ?? (fields.length === 1 ? fields[0] : undefined);
}

/** The `secret_schema` as a write-only form: nothing required (a value is only sent when typed). */
export function writeOnlySecretSchema(schema: Record<string, unknown>): RJSFSchema {
  const rest: Record<string, unknown> = { ...schema, type: 'object' };
  delete rest['required'];
  return rest as RJSFSchema;
}

/** RFC 7396 merge patch turning `before` into `after` (what PATCH …/connectors/:name takes as `config`). */
export function mergePatch(before: unknown, after: unknown): unknown {
  if (!isRecord(before) || !isRecord(after)) return after;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(before)) if (!(key in after) || after[key] === undefined) patch[key] = null;
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    if (!(key in before)) patch[key] = value;
    else if (JSON.stringify(before[key]) !== JSON.stringify(value)) patch[key] = isRecord(before[key]) && isRecord(value) ? mergePatch(before[key], value) : value;
  }
  return patch;
}
