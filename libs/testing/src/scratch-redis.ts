import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { Redis } from 'ioredis';
import { redisConnectionOptions } from '@orch/platform';

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, up: boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not ${up ? 'start' : 'stop'}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A throwaway redis-server of the test's own on a loopback port (nothing kept on disk), for what
 * the shared Redis must not be put through: being killed, paused or configured otherwise.
 */
export class ScratchRedis {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly extraArgs: readonly string[],
  ) {}

  /** `extraArgs` go to redis-server as is, e.g. `['--maxmemory-policy', 'allkeys-lru']`. */
  static async start(extraArgs: readonly string[] = []): Promise<ScratchRedis> {
    const redis = new ScratchRedis(await freePort(), extraArgs);
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...this.extraArgs], { stdio: 'ignore' });
    await waitForPort(this.port, true);
  }

  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    this.child = undefined;
    await waitForPort(this.port, false);
  }

  /** Blocks every write command (BullMQ's scripts included) for `ms`; reads still answer. */
  async pauseWrites(ms: number): Promise<void> {
    const client = new Redis({ ...redisConnectionOptions(this.url), maxRetriesPerRequest: 1 });
    try {
      await client.call('CLIENT', 'PAUSE', String(ms), 'WRITE');
    } finally {
      client.disconnect();
    }
  }
}
