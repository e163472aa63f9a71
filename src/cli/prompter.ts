import { createInterface } from 'node:readline';

/** Questions on a terminal, one line of answer each; an empty answer takes the default. */
export interface Prompter {
  confirm(question: string, defaultYes: boolean): Promise<boolean>;
  /** Picks one of `choices` by number or by name; returns its index. */
  choose(question: string, choices: readonly string[], defaultIndex: number): Promise<number>;
  close(): void;
}

/**
 * A prompter over node:readline. Lines are read through its async iterator, which buffers them, so answers
 * typed (or piped) ahead of their question are not lost.
 */
export function createPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompter {
  const readline = createInterface({ input, output, terminal: false });
  const lines = readline[Symbol.asyncIterator]();
  const ask = async (question: string): Promise<string> => {
    output.write(question);
    const next = await lines.next();
    // End of input (Ctrl-D) answers every remaining question with its default.
    return next.done ? '' : String(next.value).trim();
  };
  return {
    async confirm(question, defaultYes) {
      for (;;) {
        const answer = (await ask(`${question} ${defaultYes ? '[Y/n]' : '[y/N]'} `)).toLowerCase();
        if (answer === '') return defaultYes;
        if (answer === 'y' || answer === 'yes') return true;
        if (answer === 'n' || answer === 'no') return false;
        output.write('  please answer y or n\n');
      }
    },
    async choose(question, choices, defaultIndex) {
      output.write(
        `${question}\n${choices.map((choice, index) => `  ${index + 1}) ${choice}${index === defaultIndex ? '  (default)' : ''}`).join('\n')}\n`,
      );
      for (;;) {
        const answer = await ask(`choose 1-${choices.length} [${defaultIndex + 1}]: `);
        if (answer === '') return defaultIndex;
        const byNumber = Number(answer);
        if (Number.isInteger(byNumber) && byNumber >= 1 && byNumber <= choices.length) return byNumber - 1;
        const byName = choices.indexOf(answer);
        if (byName >= 0) return byName;
        output.write(`  please answer a number from 1 to ${choices.length}\n`);
      }
    },
    close: () => readline.close(),
  };
}
