import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

export interface LogLine {
  [key: string]: unknown;
  level?: number;
  msg?: string;
}

export interface BuiltAppProcess {
  port: number;
  /** Every stdout line parsed as JSON (non-JSON lines kept as { raw }). */
  logs: LogLine[];
  stderr: () => string;
  /** Stops the process; resolves with its exit code, or the signal that ended it. */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

export interface BuiltAppExit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function mainOf(app: string): string {
  const main = join(WORKSPACE_ROOT, 'dist', 'apps', app, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx nx build ${app}); the e2e target depends on build`);
  return main;
}

/**
 * Runs the webpack bundle of an app (dist/apps/<app>/main.js) as its own process, the way it
 * is deployed, and resolves once it logs that it listens. Used for what only a real process
 * shows: boot-time config validation, stdout logs, OpenTelemetry loading first.
 */
export async function startBuiltApp(app: string, env: Record<string, string>, timeoutMs = 20_000): Promise<BuiltAppProcess> {
  const child = spawn(process.execPath, [mainOf(app)], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  let stderr = '';
  let buffer = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${app} did not start within ${timeoutMs} ms (it must log "listening on" at info level). stderr: ${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        let parsed: LogLine;
        try {
          parsed = JSON.parse(line) as LogLine;
        } catch {
          parsed = { raw: line };
        }
        logs.push(parsed);
        if (typeof parsed['port'] === 'number' && /listening on/.test(parsed.msg ?? '')) {
          clearTimeout(timer);
          resolve(parsed['port']);
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${app} exited with ${code} before listening. stderr: ${stderr}`));
    });
  });
  return { port, logs, stderr: () => stderr, stop: (signal = 'SIGTERM') => stopChild(child, signal) };
}

/** Runs an app's bundle expecting it to exit (e.g. on bad config); resolves with its output. */
export async function runBuiltAppToExit(app: string, env: Record<string, string>, timeoutMs = 20_000): Promise<BuiltAppExit> {
  const child = spawn(process.execPath, [mainOf(app)], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig)));
  child.kill(signal);
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(killer);
  return code;
}
