/**
 * Prints the dev server's `temporal` arguments (worker/dev-server.ts devServerArgs, their one owner), NUL-separated,
 * for scripts/stack/temporal.sh:
 *   tsx scripts/stack/temporal-args.ts IP PORT UI_PORT DB_FILE CODEC_ENDPOINT
 */
import { devServerArgs } from '../../worker/dev-server.js';

const [ip, port, uiPort, dbFile, codecEndpoint] = process.argv.slice(2);
if (!ip || !port || !uiPort || !dbFile || !codecEndpoint) {
  console.error('usage: temporal-args.ts IP PORT UI_PORT DB_FILE CODEC_ENDPOINT');
  process.exit(2);
}
const args = devServerArgs({ ip, port: Number(port), uiPort: Number(uiPort), dbFile, codecEndpoint });
process.stdout.write(args.map((a) => `${a}\0`).join(''));
