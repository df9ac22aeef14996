/** Paths that tests share, resolved from the compiled file's location (dist/test/helpers). */
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = `${ROOT}test/fixtures/`;
export const PROFILES = `${FIXTURES}profiles/`;
export const CLI = `${ROOT}dist/src/cli/main.js`;
