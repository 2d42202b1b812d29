#!/usr/bin/env node
/** Entry point of the `comfy-assets-conformance` command (and of `npm run conformance` in this repository). */
import { runCli } from './cli.ts';

// Hide the arguments (a key given by --api-key among them) from process lists: on Linux the title
// takes the place of the command line in /proc/PID/cmdline.
process.title = 'comfy-assets-conformance';
const code = await runCli(process.argv.slice(2), process.env);
process.exitCode = code;
