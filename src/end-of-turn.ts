/** Work asked for and not done yet, done by one 'exit' listener if its turn never ends. */
const due = new Set<() => void>();
let exitHooked = false;

/**
 * Returns a function that asks for `work` to be done once when the event loop's current turn ends
 * (`setImmediate`), however often it is called during the turn. A writer uses it to make one write(2) of
 * everything a turn produced instead of one per item: at thousands of calls a second, several answers arrive in
 * one turn. Work still due when the process exits (`process.exit`, an uncaught exception) is done in 'exit',
 * where synchronous writes still run; a process killed outright loses that turn's work.
 */
export function endOfTurn(work: () => void): () => void {
  // Due while in `due`: whichever of the turn's end and 'exit' comes first does the work, the other nothing.
  const run = () => {
    if (due.delete(run)) work();
  };
  return () => {
    if (due.has(run)) return;
    due.add(run);
    hookExit();
    setImmediate(run);
  };
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const run of [...due]) {
      try {
        run();
      } catch {
        // One failing piece of work must not keep the others from being done.
      }
    }
  });
}
