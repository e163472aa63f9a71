import type { Message } from './message.js';
import type { Role } from './role.js';

/**
 * The message bus of one run: a published message is kept in the history and delivered to the inbox of every
 * role that watches its cause (and is among its recipients), other than its author.
 */
export class Environment {
  readonly history: Message[] = [];
  readonly #subscribers: Array<{ role: Role; deliver: (message: Message) => void }> = [];
  readonly #onPublish: (message: Message) => void;

  constructor(onPublish: (message: Message) => void) {
    this.#onPublish = onPublish;
  }

  subscribe(role: Role, deliver: (message: Message) => void): void {
    this.#subscribers.push({ role, deliver });
  }

  publish(message: Message): void {
    this.history.push(message);
    this.#onPublish(message);
    for (const { role, deliver } of this.#subscribers) {
      if (role.name === message.role) continue;
      const addressed = message.sendTo.includes('*') || message.sendTo.includes(role.name);
      if (addressed && role.watch.includes(message.causeBy)) deliver(message);
    }
  }
}
