/**
 * Runs the ARI simulator from the command line, for manual use and demos:
 *   npx tsx src/simulator/main.ts --port 8088 [--sounds DIR] [--moh DIR] [--recordings DIR]
 *     [--dialplan FILE] [--user NAME] [--password PASS] [--more-user NAME:PASS ...] [--verbose]
 */
import { parseArgs } from 'node:util';
import { startSimulator } from './index.js';
import type { SimulatorOptions } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8088' },
    host: { type: 'string', default: '127.0.0.1' },
    sounds: { type: 'string' },
    moh: { type: 'string' },
    recordings: { type: 'string' },
    dialplan: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    'more-user': { type: 'string', multiple: true },
    verbose: { type: 'boolean', default: false },
  },
});

const options: SimulatorOptions = { port: Number(values.port), host: values.host };
if (values.sounds !== undefined) options.soundsDir = values.sounds;
if (values.moh !== undefined) options.mohDir = values.moh;
if (values.recordings !== undefined) options.recordingsDir = values.recordings;
if (values.dialplan !== undefined) options.dialplan = values.dialplan;
if (values.user !== undefined) options.username = values.user;
if (values.password !== undefined) options.password = values.password;
if (values['more-user'] !== undefined) {
  options.moreUsers = values['more-user'].map((pair) => {
    const colon = pair.indexOf(':');
    return { username: pair.slice(0, colon), password: pair.slice(colon + 1) };
  });
}
if (values.verbose) options.log = (line) => console.log(line);

const sim = await startSimulator(options);
console.log(`ARI simulator listening on ${sim.url} (ARI at ${sim.url}/ari, recordings in ${sim.recordingsDir})`);

const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
