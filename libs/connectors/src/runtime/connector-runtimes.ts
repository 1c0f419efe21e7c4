// One runtime per connector type, sharing one guarded HTTP transport (http + stripe).
import type { Agent } from 'undici';
import type { EgressPolicy } from '../egress/address-policy';
import type { ResolveAll } from '../egress/guarded-dispatcher';
import type { ConnectorTypeRegistry } from '../connector-type-registry';
import { HttpTransport } from './http-transport';
import { HttpRuntime } from './http.runtime';
import type { ConnectorRuntime } from './runtime';
import { S3Runtime } from './s3.runtime';
import { SmtpRuntime } from './smtp.runtime';
import { StripeRuntime } from './stripe.runtime';

export interface ConnectorRuntimesOptions {
  policy: EgressPolicy;
  /** When given, every type it defines must have a runtime here (checked at construction). */
  registry?: ConnectorTypeRegistry;
  /** DNS resolution for the egress guard (tests map names to loopback without DNS). */
  resolveAll?: ResolveAll;
  /** undici pool settings for http + stripe. */
  httpAgent?: Omit<Agent.Options, 'connect'>;
}

export class ConnectorRuntimes {
  private readonly byType = new Map<string, ConnectorRuntime>();
  private readonly closeTransport: () => Promise<void>;

  constructor(options: ConnectorRuntimesOptions) {
    const guard = { policy: options.policy, ...(options.resolveAll !== undefined ? { resolveAll: options.resolveAll } : {}) };
    const transport = new HttpTransport({ ...guard, ...(options.httpAgent !== undefined ? { agent: options.httpAgent } : {}) });
    for (const runtime of [new HttpRuntime(transport), new StripeRuntime(transport), new SmtpRuntime(guard), new S3Runtime(guard)]) {
      this.byType.set(runtime.type, runtime);
    }
    this.closeTransport = () => transport.close();
    const missing = options.registry?.list().filter((definition) => !this.byType.has(definition.type)) ?? [];
    if (missing.length > 0) throw new Error(`no runtime for connector type(s): ${missing.map((d) => d.type).join(', ')}`);
  }

  /** The runtime for a type; undefined for a type this deployment cannot run. */
  get(type: string): ConnectorRuntime | undefined {
    return this.byType.get(type);
  }

  types(): string[] {
    return [...this.byType.keys()];
  }

  /** Closes every pooled connection (graceful shutdown). */
  async close(): Promise<void> {
    await Promise.all([this.closeTransport(), ...[...this.byType.values()].map((runtime) => runtime.close?.())]);
  }
}
