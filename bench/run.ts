/**
 * `npm run bench`: starts the local system once (in memory) and prints each benchmark's figures.
 * Benchmarks assert nothing; these machines are shared and noisy, so read the ratios.
 */
import { startLocalSystem } from '../local/runtime';
import { benchBookings } from './booking';
import { benchCapacity } from './capacity';
import { benchRecognise } from './recognise';
import { benchReports } from './reports';
import { countDynamoCalls, printFigures } from './common';
import { benchSweeper } from './sweeper';
import { benchTrail } from './trail';
import { benchDispatch, benchRealDays, benchRouteModel, benchRouteRealDays } from './dispatch';
import { benchStorm } from './storm';
import { benchMcp } from './mcp';
import { benchTriage } from './triage';
import { benchCrmBackfill } from './crm-backfill';
import { benchCold } from './cold';
import { benchCost, benchIdle } from './cost';

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'ERROR';
  // Triage is pure: it needs no local system.
  if (process.argv[2] === 'triage') return benchTriage();
  // Cold path: bundles and fresh imports, no local system either.
  if (process.argv[2] === 'cold') return benchCold();
  // The idle month of the synthesised stack: no local system.
  if (process.argv[2] === 'idle') return benchIdle();
  // The route travel model's plans on generated days: pure, no local system.
  if (process.argv[2] === 'dispatch-route') return benchRouteModel();
  const system = await startLocalSystem({ port: 0, background: false });
  countDynamoCalls();
  try {
    const only = process.argv[2];
    if (!only || only === 'booking') await benchBookings(system);
    if (!only || only === 'capacity') await benchCapacity(system);
    if (!only || only === 'trail') await benchTrail(system);
    if (!only || only === 'sweeper') await benchSweeper(system);
    if (!only || only === 'recognise') await benchRecognise(system);
    if (!only || only === 'reports') await benchReports(system);
    if (!only || only === 'dispatch') await benchDispatch(system);
    // The route model's real days alone, at the sizes asked (`npm run bench dispatch-route-api 12,50`).
    if (only === 'dispatch-route-api') await benchRouteRealDays(system, (process.argv[3] ?? '5,12,50').split(',').map(Number));
    // The real days alone (whole-window vs job lengths first-come, then the plan applied), at the sizes (and seeds) asked (`npm run bench dispatch-real 5,12 11,22,33`; seed 11 by default).
    if (only === 'dispatch-real')
      await benchRealDays(system, (process.argv[3] ?? '5,12,50').split(',').map(Number), process.argv[4] ? process.argv[4].split(',').map(Number) : undefined);
    if (!only || only === 'storm') await benchStorm(system);
    if (!only || only === 'mcp') await benchMcp(system);
    if (!only || only === 'cost') await benchCost(system);
    // 10,000 customers take minutes on a shared machine: run on its own (`npm run bench crm-backfill`).
    if (only === 'crm-backfill') await benchCrmBackfill(system);
    if (!only) await benchTriage();
    if (!only) await benchCold();
  } finally {
    await system.stop();
  }
}

main()
  .then(printFigures)
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
