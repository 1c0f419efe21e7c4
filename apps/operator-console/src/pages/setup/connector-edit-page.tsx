import type { RJSFSchema } from '@rjsf/utils';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { ConnectorType } from '../../api/connector-types';
import { vaultNameOf } from '../../api/secret-refs';
import { ErrorNotice } from '../../components/error-notice';
import { Page } from '../../components/page';
import { QueryState } from '../../components/query-state';
import { ReasonDialog } from '../../components/reason-dialog';
import { cspSafeValidator } from '../../forms/csp-safe-validator';
import { SchemaForm } from '../../forms/schema-form';
import { useConnectorTypes } from '../../hooks/use-connector-types';
import { useConnector, useCreateConnector, useDeleteConnector, useUpdateConnector } from '../../hooks/use-connectors';
import { usePolicies } from '../../hooks/use-policies';
import { useCreateSecretRef, useSecretRefs } from '../../hooks/use-secret-refs';
import { usePutSecret } from '../../hooks/use-secrets';
import { useWorkspaceId } from '../../hooks/use-workspaces';
import { connectorUiSchema, mergePatch, refFieldForSecret, secretRefFields, valueAt, writeOnlySecretSchema } from './connector-form';
import { SelectField, TextField, useCanAdmin } from './shared';

type Config = Record<string, unknown>;

/** `connectors/new` and `connectors/:name`: the config form is generated from the type's config_schema. */
export function ConnectorEditPage() {
  const workspaceId = useWorkspaceId();
  const { name: routeName } = useParams();
  const isNew = routeName === undefined;
  const types = useConnectorTypes(workspaceId);
  const connector = useConnector(workspaceId, routeName);
  const title = isNew ? 'Create connector' : `Connector ${routeName}`;

  return (
    <Page title={title} subtitle={<Link to=".." relative="path">Back to connectors</Link>}>
      <QueryState isLoading={types.isLoading || (!isNew && connector.isLoading)} error={types.error ?? (isNew ? undefined : connector.error)}>
        {types.data && (isNew || connector.data) && (
          <ConnectorEditor key={routeName ?? 'new'} workspaceId={workspaceId} types={types.data.data} existing={isNew ? undefined : connector.data} />
        )}
      </QueryState>
    </Page>
  );
}

interface Existing {
  name: string;
  type: string;
  config: Config;
  policy: string;
}

interface PendingSave {
  config: Config;
  secrets: Array<{ property: string; refName: string; value: string }>;
}

function ConnectorEditor({ workspaceId, types, existing }: { workspaceId: string; types: ConnectorType[]; existing?: Existing }) {
  const navigate = useNavigate();
  const canAdmin = useCanAdmin();
  const policies = usePolicies(workspaceId, { limit: 200 });
  const secretRefs = useSecretRefs(workspaceId, { limit: 200 });
  const create = useCreateConnector(workspaceId);
  const update = useUpdateConnector(workspaceId, existing?.name ?? '');
  const remove = useDeleteConnector(workspaceId);
  const putSecret = usePutSecret(workspaceId);
  const createRef = useCreateSecretRef(workspaceId);

  const [name, setName] = useState(existing?.name ?? '');
  const [typeName, setTypeName] = useState(existing?.type ?? '');
  const [policy, setPolicy] = useState(existing?.policy ?? 'default');
  const [config, setConfig] = useState<Config>(existing?.config ?? {});
  const [secretValues, setSecretValues] = useState<Record<string, string>>({});
  const [pending, setPending] = useState<PendingSave | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [deleting, setDeleting] = useState(false);
  const [saved, setSaved] = useState(false);

  const type = types.find((t) => t.type === typeName);
  const configSchema = type?.config_schema as RJSFSchema | undefined;
  const uiSchema = useMemo(() => (type ? connectorUiSchema(type.config_schema) : {}), [type]);
  const refFields = useMemo(() => (type ? secretRefFields(type.config_schema) : []), [type]);
  const secretProperties = Object.keys((type?.secret_schema['properties'] as Record<string, unknown> | undefined) ?? {});
  const secretSchema = useMemo(() => (type ? writeOnlySecretSchema(type.secret_schema) : undefined), [type]);
  const saveError = existing ? update.error : create.error;
  const policyNames = [...new Set([...(policies.data?.data.map((p) => p.name) ?? []), policy])];

  const refNameFor = (property: string, values: Config): string | undefined => {
    const field = refFieldForSecret(property, refFields);
    const value = field ? valueAt(values, field.pointer) : undefined;
    return typeof value === 'string' && value !== '' ? value : undefined;
  };

  const prepare = (values: Config) => {
    setProblem(undefined);
    setSaved(false);
    if (!existing && name.trim() === '') return setProblem('Enter a name for the connector.');
    const typed = Object.fromEntries(Object.entries(secretValues).filter(([, value]) => value !== ''));
    if (secretSchema && Object.keys(typed).length > 0) {
      const { errors } = cspSafeValidator.validateFormData(typed, secretSchema);
      if (errors.length > 0) return setProblem(`Secrets: ${errors.map((e) => e.stack).join('; ')}`);
    }
    const secrets: PendingSave['secrets'] = [];
    for (const [property, value] of Object.entries(typed)) {
      const refName = refNameFor(property, values);
      if (!refName) return setProblem(`Secret ${property}: fill in the config's secret ref field first; the value is stored behind that ref.`);
      secrets.push({ property, refName, value });
    }
    setPending({ config: values, secrets });
  };

  const save = async (reason: string, { config: values, secrets }: PendingSave) => {
    // Values first: the API refuses a config naming a ref that does not exist.
    const knownRefs = secretRefs.data?.data ?? [];
    for (const secret of secrets) {
      const ref = knownRefs.find((r) => r.name === secret.refName);
      let vaultName = ref ? vaultNameOf(ref.ref) : secret.refName;
      if (ref && !vaultName) throw new Error(`Secret ref ${secret.refName} points at ${ref.ref} (an environment variable): its value is set in the environment, not here.`);
      if (!ref) {
        await createRef.mutateAsync({ name: secret.refName, ref: `vault://${secret.refName}`, reason });
        vaultName = secret.refName;
      }
      await putSecret.mutateAsync({ name: vaultName ?? secret.refName, value: secret.value, reason });
    }
    setSecretValues({});
    if (existing) {
      const patch = mergePatch(existing.config, values) as Config;
      await update.mutateAsync({ reason, ...(Object.keys(patch).length > 0 ? { config: patch } : {}), ...(policy !== existing.policy ? { policy } : {}) });
      setSaved(true);
    } else {
      const created = await create.mutateAsync({ name: name.trim(), type: typeName, config: values, policy, reason });
      void navigate(`../${encodeURIComponent(created.name)}`, { relative: 'path' });
    }
  };

  return (
    <>
      <section className="panel" aria-labelledby="connector-basics">
        <h2 className="panel__title" id="connector-basics">
          Connector
        </h2>
        {existing ? (
          <dl className="setup-facts">
            <dt>Name</dt>
            <dd>{existing.name}</dd>
            <dt>Type</dt>
            <dd>{type?.title ?? existing.type}</dd>
          </dl>
        ) : (
          <div className="form">
            <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" required hint="Lowercase letters, digits, - and _ (e.g. acme-api)." />
            <SelectField
              label="Connector type"
              value={typeName}
              onChange={(value) => {
                setTypeName(value);
                setConfig({});
                setSecretValues({});
              }}
              options={types.map((t) => ({ value: t.type, label: `${t.title} (${t.type})` }))}
              emptyLabel="Choose a type"
            />
          </div>
        )}
        {type && <p className="muted">{type.description}</p>}
        <div className="form">
          <SelectField label="Policy" value={policy} onChange={setPolicy} options={policyNames} disabled={!canAdmin} hint="The reliability policy (timeouts, retries, breaker, rate limit) of every call." />
        </div>
      </section>

      {type && configSchema && secretSchema && (
        <>
          {secretProperties.length > 0 && (
            <section className="panel" aria-labelledby="connector-secrets">
              <h2 className="panel__title" id="connector-secrets">
                Secrets
              </h2>
              <p className="muted">
                Write-only: a value typed here is stored as a new version in the vault behind the secret ref the config names, and is never shown again. Leave empty to keep the current value.
              </p>
              <SchemaForm<Record<string, string>> schema={secretSchema} formData={secretValues} idPrefix="secret" disabled={!canAdmin} onChange={(value) => setSecretValues(value ?? {})} onSubmit={() => undefined}>
                <></>
              </SchemaForm>
              <ul className="setup-secret-targets">
                {secretProperties.map((property) => {
                  const refName = refNameFor(property, config);
                  const ref = refName ? secretRefs.data?.data.find((r) => r.name === refName) : undefined;
                  return (
                    <li key={property}>
                      <code>{property}</code> →{' '}
                      {refName ? (
                        <>
                          secret ref <code>{refName}</code> {ref ? `(${ref.ref})` : '(will be created as vault://' + refName + ')'}
                        </>
                      ) : (
                        'fill in the secret ref field of the config'
                      )}
                    </li>
                  );
                })}
              </ul>
            </section>
          )}

          <section className="panel" aria-labelledby="connector-config">
            <h2 className="panel__title" id="connector-config">
              Configuration
            </h2>
            {saved && (
              <p className="notice notice--ok" role="status">
                Connector saved.
              </p>
            )}
            <SchemaForm<Config>
              schema={configSchema}
              uiSchema={uiSchema}
              formData={config}
              idPrefix="config"
              disabled={!canAdmin}
              serverError={saveError}
              pathPrefix="/config"
              onChange={(value) => {
                setConfig(value ?? {});
                setSaved(false);
              }}
              onSubmit={(value) => prepare(value ?? {})}
            >
              {problem && (
                <p className="form__error" role="alert">
                  {problem}
                </p>
              )}
              {saveError && !pending ? <ErrorNotice error={saveError} title="The connector was not saved" /> : null}
              {canAdmin && (
                <div className="form__row">
                  <button type="submit" className="button button--primary">
                    {existing ? 'Save connector' : 'Create connector'}
                  </button>
                  {existing && (
                    <button type="button" className="button button--danger" onClick={() => setDeleting(true)}>
                      Delete connector
                    </button>
                  )}
                </div>
              )}
            </SchemaForm>
          </section>
        </>
      )}

      {pending && (
        <ReasonDialog
          title={existing ? `Save connector ${existing.name}` : 'Create connector'}
          description={pending.secrets.length > 0 ? `Also stores ${pending.secrets.length} secret value(s) in the vault (${pending.secrets.map((s) => s.refName).join(', ')}).` : undefined}
          confirmLabel={existing ? 'Save connector' : 'Create connector'}
          onClose={() => setPending(undefined)}
          onConfirm={(reason) => save(reason, pending)}
        />
      )}
      {deleting && existing && (
        <ReasonDialog
          title={`Delete connector ${existing.name}`}
          description="Executions naming it fail from now on. Its secret refs and their values are kept."
          confirmLabel="Delete connector"
          danger
          onClose={() => setDeleting(false)}
          onConfirm={async (reason) => {
            await remove.mutateAsync({ name: existing.name, reason });
            void navigate('..', { relative: 'path' });
          }}
        />
      )}
    </>
  );
}
