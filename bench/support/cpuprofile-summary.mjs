// Top self-time functions of the .cpuprofile files in a folder (V8's --cpu-prof output).
// Used by `npm run bench:execute -- --cpu-prof`; also runnable alone:
//   node bench/support/cpuprofile-summary.mjs <file.cpuprofile | dir> [top=30]
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/**
 * Samples taken inside the bench's own profiler preload (stopping the profiler serialises the
 * profile while it still samples): not exec-api's work, left out of every figure.
 */
function profilerOwnSamples(profile) {
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const own = new Set();
  for (const node of profile.nodes) {
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      if (byNode.get(id).callFrame.url.endsWith('profiler-preload.cjs')) {
        own.add(node.id);
        break;
      }
    }
  }
  return own;
}

/** Self time per function (name + file:line), from the samples and their time deltas. */
function selfTimes(profile) {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const skip = profilerOwnSamples(profile);
  const micros = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    if (skip.has(id)) continue;
    micros.set(id, (micros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const frame = ({ functionName, url, lineNumber }) => `${functionName || '(anonymous)'} ${url ? `${shorten(url)}:${lineNumber + 1}` : ''}`.trim();
  const byFunction = new Map();
  for (const [id, us] of micros) {
    const { callFrame } = byNode.get(id);
    // A native frame (writev, run…) says little alone: name the JavaScript that called it.
    const native = !callFrame.url && !callFrame.functionName.startsWith('(') && parent.has(id);
    const key = native ? `${frame(callFrame)} (native) ← ${frame(byNode.get(parent.get(id)).callFrame)}` : frame(callFrame);
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  return byFunction;
}

function shorten(url) {
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('node_modules/');
  return inModules >= 0 ? path.slice(inModules + 'node_modules/'.length) : path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

/** Groups self time by package (node_modules/<pkg>), app bundle, node internals, or V8 buckets. */
function bucketOf(key) {
  if (key.includes(' (native) ← ')) return `native: ${key.split(' ')[0]}`;
  const match = /\s(\S+):\d+$/.exec(key);
  if (!match) return key; // (garbage collector), (program), (idle)…
  const file = match[1];
  if (file.startsWith('node:')) return 'node internals';
  if (file.startsWith('dist/')) return file.split('/').slice(0, 3).join('/');
  const parts = file.split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/**
 * Time with at least one frame of a package on the stack (inclusive, per sample): what leaving
 * that package out would save at most. Nested packages count for each (so shares add up to more
 * than 100 %). Async work started by a package is not on its stack, so this undercounts I/O libs.
 */
function inclusiveByPackage(profile) {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const bucketsOf = new Map();
  const bucketsFor = (id) => {
    if (bucketsOf.has(id)) return bucketsOf.get(id);
    const { callFrame } = byNode.get(id);
    const own = callFrame.url ? bucketOf(`x ${shorten(callFrame.url)}:1`) : undefined;
    const up = parent.has(id) ? bucketsFor(parent.get(id)) : new Set();
    const set = own && !up.has(own) ? new Set([...up, own]) : up;
    bucketsOf.set(id, set);
    return set;
  };
  const skip = profilerOwnSamples(profile);
  const totals = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    if (skip.has(profile.samples[i])) continue;
    const { callFrame } = byNode.get(profile.samples[i]);
    if (callFrame.functionName === '(idle)') continue;
    for (const bucket of bucketsFor(profile.samples[i])) totals.set(bucket, (totals.get(bucket) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  return totals;
}

/** Summarises one .cpuprofile file, or every one in a folder together. */
export function summarise(path, top = 30) {
  const single = path.endsWith('.cpuprofile');
  const dir = single ? dirname(path) : path;
  const files = single ? [basename(path)] : readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return `no .cpuprofile in ${dir} (did the process exit cleanly?)`;
  const totals = new Map();
  const inclusive = new Map();
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    for (const [key, us] of selfTimes(profile)) totals.set(key, (totals.get(key) ?? 0) + us);
    for (const [key, us] of inclusiveByPackage(profile)) inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  const busy = [...totals].filter(([key]) => key !== '(idle)').reduce((a, [, us]) => a + us, 0);
  const pct = (us) => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
  const lines = [`${files.join(', ')} (${relative(process.cwd(), dir) || '.'}): ${(all / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (not idle, ${((busy / all) * 100).toFixed(0)} %); shares below are of the busy time`, '', `top ${top} functions by self time:`];
  const sorted = [...totals].filter(([key]) => key !== '(idle)').sort((a, b) => b[1] - a[1]);
  for (const [key, us] of sorted.slice(0, top)) lines.push(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
  const buckets = new Map();
  for (const [key, us] of sorted) buckets.set(bucketOf(key), (buckets.get(bucketOf(key)) ?? 0) + us);
  lines.push('', 'self time by package / area:');
  for (const [bucket, us] of [...buckets].sort((a, b) => b[1] - a[1]).slice(0, 25)) lines.push(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${bucket}`);
  lines.push('', 'time with the package on the stack (inclusive; overlaps):');
  for (const [bucket, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 20)) lines.push(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${bucket}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [dir, top] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node bench/support/cpuprofile-summary.mjs <file.cpuprofile | dir> [top=30]');
    process.exit(2);
  }
  console.log(summarise(dir, Number(top ?? 30)));
}
