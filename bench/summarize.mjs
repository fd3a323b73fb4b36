// Tabulates bench/run.sh's results (target/bench/results.jsonl, or the file named): one markdown table per
// scenario, with the figures of each target measured (Parley on its embedded default, on memory, on PostgreSQL;
// Socket.IO; ws), and the ratios of Parley (the default) to each of the others.
// For each scenario and target it takes the lines of the latest run (label) that has that pair.
//
// Saturation: the highest achievedDeliveriesPerS among the ramp steps whose p99 latency is under 100 ms and that
// lost nothing (lost == 0). A target that fails even the first step has no saturation figure; one that passes
// the last step saturates somewhere above it (the figure is then a lower bound). Steps where the load generator
// used 90% of its core or more are listed under the table: there it, not the server, may be the limit.
import { readFileSync } from 'node:fs';

const SATURATION_P99_MS = 100;
const LOADGEN_BUSY_PCT = 90;
const ORDER = ['parley', 'parley-memory', 'parley-pg', 'parley-write-delay', 'socketio', 'ws'];
const file = process.argv[2] ?? 'target/bench/results.jsonl';

const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

// scenario -> target -> lines of that pair's latest label
const latest = new Map();
for (const line of lines) {
  const scenario = line.scenario || '?';
  if (!latest.has(scenario)) latest.set(scenario, new Map());
  const byTarget = latest.get(scenario);
  const current = byTarget.get(line.target);
  if (!current || current[0].label !== line.label) byTarget.set(line.target, [line]);
  else current.push(line);
}

const fmt = (v, digits = 0) => (v == null || Number.isNaN(v) ? '–' : Number(v).toLocaleString('en-US', { maximumFractionDigits: digits }));
const ratio = (a, b) => (a == null || b == null || b === 0 ? '–' : (a / b).toFixed(2));

function saturation(steps) {
  const ok = steps.filter((s) => s.p99Ms != null && s.p99Ms < SATURATION_P99_MS && s.lost === 0);
  return ok.length ? Math.max(...ok.map((s) => s.achievedDeliveriesPerS)) : null;
}

function table(title, rows, byTarget) {
  const targets = ORDER.filter((t) => byTarget.has(t)).concat([...byTarget.keys()].filter((t) => !ORDER.includes(t)));
  const others = targets.filter((t) => t !== 'parley');
  console.log(`\n### Scenario ${title}\n`);
  console.log(`| | ${targets.join(' | ')} | ${others.map((t) => `parley/${t}`).join(' | ')} |`);
  console.log(`|---|${targets.map(() => '---:').join('|')}|${others.map(() => '---:').join('|')}|`);
  for (const [name, value, digits, withRatio = true] of rows) {
    const v = Object.fromEntries(targets.map((t) => [t, value(byTarget.get(t) ?? [])]));
    const ratios = others.map((t) => (withRatio ? ratio(v.parley, v[t]) : ''));
    console.log(`| ${name} | ${targets.map((t) => fmt(v[t], digits)).join(' | ')} | ${ratios.join(' | ')} |`);
  }
  for (const [target, pairLines] of byTarget) {
    for (const line of pairLines) {
      if (line.skipped) console.log(`\n${target}: skipped, ${line.skipped}`);
      if (line.failed) console.log(`\n${target}: FAILED, ${line.failed}`);
      const busy = line.windowS ? (100 * line.loadGenCpuS) / line.windowS : 0;
      if (busy >= LOADGEN_BUSY_PCT) {
        console.log(`\n${target} @${fmt(line.targetDeliveriesPerS)}/s: the load generator was ${fmt(busy)}% busy`);
      }
    }
  }
}

/** An idle line's bytes per connection, RSS growth plus Java heap growth, of the second round or the first ('cold'). */
function idleBytes(line, round) {
  if (!line) return undefined;
  const rss = line[round ? `${round}BytesPerConnection` : 'bytesPerConnection'];
  const heap = line[round ? `${round}HeapBytesPerConnection` : 'heapBytesPerConnection'] ?? 0;
  return rss === undefined ? undefined : rss + heap;
}

/** Scenario e: part one (the scale-out line), and part two (e-room-n<nodes>: one room on clusters of each size). */
function scaleOut() {
  for (const [target, pairLines] of latest.get('e') ?? []) {
    for (const e of pairLines) {
      if (e.skipped || e.failed) { console.log(`\n${target}: e ${e.skipped ? 'skipped, ' + e.skipped : 'FAILED, ' + e.failed}`); continue; }
      console.log(`\n### Scenario e: ${fmt(e.connections)} connections in one room over ${e.nodes} nodes (${target})\n`);
      console.log('| | |');
      console.log('|---|---:|');
      console.log(`| joined in, s (joins/s; asked again) | ${fmt(e.joinS, 1)} (${fmt(e.joinsPerS)}; ${fmt(e.joinRetries)}) |`);
      console.log(`| nodes' CPU while joining, s | ${fmt(e.nodeCpuSJoin, 1)} |`);
      console.log(`| RSS per node, kB (mean; each) | ${fmt(e.rssKbMean)} (${e.rssKbPerNode.map((v) => fmt(v)).join(', ')}) |`);
      console.log(`| Java heap per node after a full GC, kB (mean; each) | ${fmt(e.heapKbMean)} (${e.heapKbPerNodeAfterGc.map((v) => fmt(v)).join(', ')}) |`);
      console.log(`| one message: delivered / lost | ${fmt(e.delivered)} / ${fmt(e.lost)} |`);
      console.log(`| time to the first member, ms | ${fmt(e.timeToFirstMemberMs, 1)} |`);
      console.log(`| time to the last member, ms | ${fmt(e.timeToLastMemberMs, 1)} |`);
      console.log(`| nodes' CPU for that delivery, s (µs per delivery) | ${fmt(e.nodeCpuSDelivery, 2)} (${fmt((1e6 * e.nodeCpuSDelivery) / Math.max(1, e.delivered), 1)}) |`);
    }
  }
  const parts = [...latest].filter(([scenario]) => scenario.startsWith('e-room-n'))
    .map(([scenario, byTarget]) => [Number(scenario.slice('e-room-n'.length)), [...byTarget.values()].flat()])
    .sort((x, y) => x[0] - y[0]);
  if (!parts.length) return;
  console.log('\n### Scenario e, part two: one room, the same load, on 1, 3 and 6 nodes\n');
  console.log('| nodes | connections | achieved deliveries/s | server CPU µs per delivery (all nodes) | per node | p50 ms | p99 ms | lost |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [nodes, ls] of parts) {
    const l = ls.find((x) => !x.failed && !x.skipped);
    if (!l) { console.log(`| ${nodes} | FAILED | | | | | | |`); continue; }
    console.log(`| ${nodes} | ${fmt(l.connections)} | ${fmt(l.achievedDeliveriesPerS)} | ${fmt(l.serverCpuUsPerDelivery, 2)} | ${fmt(l.serverCpuUsPerDelivery / nodes, 2)} | ${fmt(l.p50Ms, 1)} | ${fmt(l.p99Ms, 1)} | ${fmt(l.lost)} |`);
  }
}

for (const [scenario, byTarget] of [...latest].sort()) {
  const all = [...byTarget.values()].flat();
  if (scenario === 'e' || scenario.startsWith('e-room-n')) continue; // scaleOut()'s
  if (scenario === 'r') {
    const r = all.find((l) => l.rooms && !l.failed);
    if (r) {
      console.log(`\n### Scenario r: ${fmt(r.rooms)} rooms ever created, a message each\n`);
      console.log('| | Java heap after a full GC, kB | per room, bytes | rooms cached |');
      console.log('|---|---:|---:|---:|');
      console.log(`| before | ${fmt(r.heapBeforeKb)} | | |`);
      console.log(`| right after | ${fmt(r.heapRightAfterKb)} | ${fmt(r.bytesPerRoomRightAfter)} | ${fmt(r.cachedRoomsRightAfter)} |`);
      console.log(`| after ROOM_IDLE_EVICT_S | ${fmt(r.heapAfterEvictionKb)} | ${fmt(r.bytesPerRoomAfterEviction)} | ${fmt(r.cachedRoomsAfterEviction)} |`);
    }
    continue;
  }
  const measured = all.filter((l) => !l.skipped && !l.failed);
  const first = measured[0] ?? {};
  const title = `${scenario}: ${first.connections} connections, ${first.rooms} rooms`;
  if (measured.some((l) => l.idle)) {
    table(title + ', idle', [
      // RSS growth + Java heap growth (after a full GC): a pre-touched heap is resident whatever it holds
      ['bytes per connection, marginal (second round: RSS + Java heap growth)',
        (ls) => idleBytes(ls.find((l) => l.idle), '')],
      ['bytes per connection, cold (first round, fresh server: RSS + Java heap growth)',
        (ls) => idleBytes(ls.find((l) => l.idle), 'cold')],
      ['  of which RSS, marginal', (ls) => ls.find((l) => l.idle)?.bytesPerConnection, 0, false],
      ['  of which Java heap (after GC), marginal', (ls) => ls.find((l) => l.idle)?.heapBytesPerConnection || null, 0, false],
      ['RSS before connecting, kB', (ls) => ls.find((l) => l.idle)?.rssBaselineKb, 0, false],
      ['RSS with every connection idle, kB', (ls) => ls.find((l) => l.idle)?.rssKb, 0, false],
      ['setup s', (ls) => ls.find((l) => l.idle)?.setupS, 1],
    ], byTarget);
    continue;
  }
  const rates = [...new Set(measured.map((l) => l.targetDeliveriesPerS))].sort((a, b) => a - b);
  const at = (rate, field) => (ls) => ls.find((l) => l.targetDeliveriesPerS === rate)?.[field];
  const rows = [['saturation, deliveries/s (p99 < 100 ms, nothing lost)', (ls) => saturation(ls.filter((l) => !l.failed))]];
  for (const rate of rates) {
    const r = fmt(rate);
    rows.push(
      [`@${r}/s: achieved deliveries/s`, at(rate, 'achievedDeliveriesPerS')],
      [`@${r}/s: server CPU µs per delivery`, at(rate, 'serverCpuUsPerDelivery'), 2],
      [`@${r}/s: p50 ms`, at(rate, 'p50Ms'), 1],
      [`@${r}/s: p99 ms`, at(rate, 'p99Ms'), 1],
      [`@${r}/s: lost`, at(rate, 'lost'), 0, false],
      [`@${r}/s: load generator CPU %`, (ls) => {
        const l = ls.find((x) => x.targetDeliveriesPerS === rate);
        return l ? (100 * l.loadGenCpuS) / l.windowS : null;
      }, 0, false],
    );
  }
  table(`${title}, ${first.senders} senders, ${first.servers} server(s)`, rows, byTarget);
}
scaleOut();
