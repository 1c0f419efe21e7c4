import type { OrchEnv } from '@orch/platform';

/**
 * DESIGN §3: a deployment serves only the workspaces of its environment, told by the name's
 * suffix. Test deployments behave as dev (they are dev machines running the suite).
 */
export function workspaceSuffixOf(env: OrchEnv): '-dev' | '-prod' {
  switch (env) {
    case 'dev':
    case 'test':
      return '-dev';
    case 'prod':
      return '-prod';
  }
}

export function isServedName(name: string, env: OrchEnv): boolean {
  const suffix = workspaceSuffixOf(env);
  return name.length > suffix.length && name.endsWith(suffix);
}
