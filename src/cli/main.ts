#!/usr/bin/env node
/** The `heapwatch` executable: runs the command line (./program.ts) on the process's argv and streams. */
import { runCli } from './program.js';

const code = await runCli(process.argv, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTTY: process.stderr.isTTY,
});
if (code !== undefined) process.exit(code);
