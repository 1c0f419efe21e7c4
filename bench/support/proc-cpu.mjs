// CPU seconds used by processes during a measured window, read from /proc (Linux only; elsewhere
// every figure is n/a). Tells where the machine's CPU went during a run: the apps under test,
// the upstream, and the Postgres and Redis servers (found by process name, whoever started them).
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux this runs on

/** utime + stime of a process in ticks, or with `kernel` its stime alone (fields 14 and 15 of the line). */
function ticksOf(pid, kernel = false) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return kernel ? Number(fields[12]) : Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** [read syscalls, write syscalls, voluntary context switches] of a process so far (each wait for an answer is a voluntary switch). */
function ioOf(pid) {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (text, name) => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    return [field(io, 'syscr'), field(io, 'syscw'), field(status, 'voluntary_ctxt_switches')];
  } catch {
    return undefined;
  }
}

function pidsNamed(names) {
  const found = {};
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      const name = names.find((n) => comm.startsWith(n));
      if (name) (found[name] ??= []).push(entry);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * A snapshot of CPU ticks: `children` is {label: pid}; Postgres and Redis server processes are
 * found by name (CPU time of those that exit during the window is lost, that of those that start
 * counts in full); the bench's own process is included as "bench driver".
 */
export function cpuSnapshot(children) {
  const snapshot = { at: performance.now(), ticks: {}, kernelTicks: {}, io: {} };
  for (const [label, pid] of Object.entries(children)) {
    snapshot.ticks[label] = ticksOf(pid);
    snapshot.kernelTicks[label] = ticksOf(pid, true);
    snapshot.io[label] = ioOf(pid);
  }
  // Per pid: a server process that exits during the window (a pool closing an idle connection)
  // must not take its whole past CPU time out of the sum, and one that starts counts from zero.
  snapshot.servers = {};
  const servers = pidsNamed(['postgres', 'redis-server']);
  for (const [name, pids] of Object.entries(servers)) {
    const label = `${name} (all processes)`;
    snapshot.servers[label] = Object.fromEntries(pids.map((pid) => [pid, [ticksOf(pid) ?? 0, ticksOf(pid, true) ?? 0, ...(ioOf(pid) ?? [0, 0, 0])]]));
    snapshot.ticks[label] = 0;
  }
  const own = process.cpuUsage();
  snapshot.ticks['bench driver (this process)'] = ((own.user + own.system) / 1e6) * TICKS_PER_SECOND;
  snapshot.kernelTicks['bench driver (this process)'] = (own.system / 1e6) * TICKS_PER_SECOND;
  return snapshot;
}

/**
 * {label: cpu seconds} between two snapshots (`kernel_s`: the part of it spent in the kernel), plus
 * the wall seconds and `io`: {label: [read syscalls, write syscalls, voluntary context switches]}.
 */
export function cpuDelta(before, after) {
  const seconds = {};
  const kernel = {};
  const io = {};
  for (const [label, counts] of Object.entries(after.io ?? {})) {
    const earlier = before.io?.[label];
    io[label] = counts && earlier ? counts.map((n, k) => n - earlier[k]) : undefined;
  }
  const delta = (ticks, start) => (ticks === undefined || start === undefined ? NaN : (ticks - start) / TICKS_PER_SECOND);
  for (const [label, ticks] of Object.entries(after.ticks)) seconds[label] = delta(ticks, before.ticks[label]);
  for (const [label, ticks] of Object.entries(after.kernelTicks ?? {})) kernel[label] = delta(ticks, before.kernelTicks?.[label]);
  for (const [label, pids] of Object.entries(after.servers ?? {})) {
    const earlier = before.servers?.[label] ?? {};
    // Per pid [ticks, kernel ticks, read syscalls, write syscalls, voluntary switches], summed over the pids.
    const totals = [0, 0, 0, 0, 0];
    for (const [pid, counters] of Object.entries(pids)) counters.forEach((n, k) => (totals[k] += Math.max(0, n - (earlier[pid]?.[k] ?? 0))));
    seconds[label] = totals[0] / TICKS_PER_SECOND;
    kernel[label] = totals[1] / TICKS_PER_SECOND;
    io[label] = totals.slice(2);
  }
  return { wall_s: (after.at - before.at) / 1000, cpu_s: seconds, kernel_s: kernel, io };
}
