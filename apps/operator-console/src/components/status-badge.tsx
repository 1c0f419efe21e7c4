import { type BffHealth, useBffHealth } from '../hooks/use-bff-health';

type Tone = 'ok' | 'degraded' | 'down' | 'pending';

interface BadgeView {
  tone: Tone;
  label: string;
  detail: string;
}

const UPSTREAM_NAMES = { control_api: 'control-api', exec_api: 'exec-api' } as const;

export function describeHealth(health: BffHealth): BadgeView {
  switch (health.state) {
    case 'checking':
      return { tone: 'pending', label: 'Checking…', detail: 'Asking the console server for its upstreams' };
    case 'unreachable':
      return { tone: 'down', label: 'Console server unreachable', detail: 'The console server did not answer' };
    case 'reachable': {
      const down = (Object.keys(UPSTREAM_NAMES) as Array<keyof typeof UPSTREAM_NAMES>).filter((key) => health.upstreams[key] === 'down').map((key) => UPSTREAM_NAMES[key]);
      if (down.length === 0) return { tone: 'ok', label: 'All systems reachable', detail: 'Console server, control-api and exec-api answer' };
      return { tone: 'degraded', label: `${down.join(' and ')} unreachable`, detail: `The console server is up; ${down.join(' and ')} did not answer` };
    }
  }
}

/** The header's live indicator: is the BFF up, and does it reach control-api and exec-api? */
export function StatusBadge() {
  const health = useBffHealth();
  const view = describeHealth(health);
  return (
    <div className={`status-badge status-badge--${view.tone}`} role="status" aria-live="polite" title={view.detail} data-testid="status-badge" data-tone={view.tone}>
      <span className="status-badge__dot" aria-hidden="true" />
      <span className="status-badge__label">{view.label}</span>
      {health.state === 'reachable' && (
        <ul className="status-badge__upstreams" aria-label="Upstreams">
          {(Object.keys(UPSTREAM_NAMES) as Array<keyof typeof UPSTREAM_NAMES>).map((key) => (
            <li key={key} className={`upstream upstream--${health.upstreams[key]}`}>
              {UPSTREAM_NAMES[key]}: {health.upstreams[key]}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
