// The reducer is the CLI's too (src/runs/run-progress.ts, pure): `--follow` and this page count alike.
export { applyEvent, emptyProgress, type RunProgress as Progress } from '../../src/runs/run-progress.js';
