import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './errors';

/** The operator session kept between commands (it holds tokens: the file is 0600). */
export interface Session {
  /** The control API the tokens belong to; they are never sent anywhere else. */
  url: string;
  access_token: string;
  /** ISO-8601; the access token is refreshed a little before. */
  expires_at: string;
  refresh_token?: string;
  operator?: { id?: string; email?: string; roles?: string[] };
}

export function sessionPath(env: NodeJS.ProcessEnv): string {
  if (env['ORCHCTL_SESSION_FILE']) return env['ORCHCTL_SESSION_FILE'];
  const configHome = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(configHome, 'orchctl', 'session.json');
}

export function readSession(path: string): Session | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read the session file ${path}: ${(error as Error).message}`);
  }
  try {
    const session = JSON.parse(text) as Partial<Session>;
    if (typeof session.url === 'string' && typeof session.access_token === 'string' && typeof session.expires_at === 'string') return session as Session;
  } catch {
    // fall through: a damaged file is treated like no session, with a hint
  }
  throw new CliError(`the session file ${path} is damaged: run orchctl logout, then orchctl login`);
}

/** Written to a temporary file (0600) then renamed, so a crash never leaves half a session. */
export function writeSession(path: string, session: Session): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export function removeSession(path: string): boolean {
  try {
    rmSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
