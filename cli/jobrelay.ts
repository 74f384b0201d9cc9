/** `npx jobrelay ...` (package.json `bin` runs it through cli/jobrelay.mjs, which registers tsx). */
import { runCli } from './program';

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  progressStream: process.stderr.isTTY ? process.stderr : undefined,
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = code;
