/**
 * glibc's malloc arenas a background daemon is started with, unless the user's environment sets its own.
 *
 * Every thread that allocates under contention gets a malloc arena of its own (up to 8 per core), and glibc
 * keeps a freed arena's pages when the thread exits. The extraction worker threads allocate tens of MB each
 * (parsing large pages), so after they exit the daemon kept about 60 MB in their arenas for good: measured
 * with `npm run bench:memory`, back at idle 177 MB with glibc's default against 131 MB with two arenas,
 * where /proc/PID/smaps showed the difference in the arenas' 64 MB regions. Two arenas, not one, so the
 * main thread and a worker rarely wait for each other's allocations. Other C libraries ignore the variable.
 * @default 2
 */
export const MALLOC_ARENA_MAX = '2';

/** The environment for a daemon process started in the background: the caller's, plus `MALLOC_ARENA_MAX`. */
export function daemonEnvironment(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...environment, MALLOC_ARENA_MAX: environment.MALLOC_ARENA_MAX ?? MALLOC_ARENA_MAX };
}
