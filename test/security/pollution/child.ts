// Runs the pollution cases (of one group, or all) in this process, with Object.prototype
// polluted while each runs, and prints one JSON line: "group: case name" → 'ok' or what went
// wrong. Started by prototype-pollution.test.ts.
import { CASES } from './cases';
import { pollute, startRecordingServer, unpollute } from './world';

const group = process.argv[2];
const results: Array<[string, string]> = [];
const [api, auth] = await Promise.all([startRecordingServer(), startRecordingServer()]);
const world = { api, auth };

for (const entry of CASES) {
  if (group !== undefined && entry.group !== group) continue;
  pollute();
  let outcome = 'ok';
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      entry.run(world),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('did not finish within 10 s')), 10_000);
      }),
    ]);
  } catch (error) {
    outcome = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } finally {
    clearTimeout(timer);
    unpollute();
  }
  results.push([`${entry.group}: ${entry.name}`, outcome]);
}
await Promise.all([api.close(), auth.close()]);
process.stdout.write(`${JSON.stringify(Object.fromEntries(results))}\n`);
process.exit(0);
