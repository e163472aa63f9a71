import type { Message } from './message.js';

/** What the environment needs of a role: its name and the causes it watches. */
interface Subscriber {
  readonly name: string;
  readonly watch: readonly string[];
}

/**
 * The message bus of one run: a published message is kept in the history and delivered to the inbox of every
 * role that watches its cause (and is among its recipients), other than its author.
 */
export class Environment<M extends Message = Message> {
  readonly history: M[] = [];
  readonly #subscribers: Array<{ role: Subscriber; deliver: (message: M) => void }> = [];
  readonly #onPublish: (message: M) => void;

  constructor(onPublish: (message: M) => void) {
    this.#onPublish = onPublish;
  }

  subscribe(role: Subscriber, deliver: (message: M) => void): void {
    this.#subscribers.push({ role, deliver });
  }

  publish(message: M): void {
    this.history.push(message);
    this.#onPublish(message);
    for (const { role, deliver } of this.#subscribers) {
      if (role.name === message.role) continue;
      const addressed = message.sendTo.includes('*') || message.sendTo.includes(role.name);
      if (addressed && role.watch.includes(message.causeBy)) deliver(message);
    }
  }
}
