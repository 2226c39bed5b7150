// Runs one bench file in this process and prints its results as one `RESULTS <json>` line.
import { pathToFileURL } from 'node:url';

const mod = (await import(pathToFileURL(process.argv[2]).href)) as { run(): Promise<unknown[]> };
const results = await mod.run();
console.log(`RESULTS ${JSON.stringify(results)}`);
process.exit(0);
