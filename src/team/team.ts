import { AbortError } from '../errors.js';
import { Environment } from './environment.js';
import type { MessageOf } from './message.js';
import type { Role } from './role.js';
import type { RoleContext } from './role-context.js';

/**
 * Runs roles on an environment until every role is idle: each role works through its inbox one message at a
 * time, roles work concurrently, and the run is over when no inbox holds a message and no role is busy.
 * A role's failure stops the team and is the run's failure.
 */
export class Team<Context extends RoleContext, Messages> {
  readonly environment: Environment<MessageOf<Messages>>;
  readonly #context: Context;
  readonly #inboxes = new Map<Role<Context, Messages>, Array<MessageOf<Messages>>>();
  readonly #busy = new Set<Role<Context, Messages>>();
  readonly #reactions = new Set<Promise<void>>();
  #settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  #failed = false;

  constructor(roles: ReadonlyArray<Role<Context, Messages>>, context: Context) {
    this.#context = context;
    this.environment = new Environment((message) =>
      context.emit('message-published', {
        role: message.role,
        cause: message.causeBy,
        to: [...message.sendTo],
        content: message.content.slice(0, 200),
      }),
    );
    for (const role of roles) {
      this.#inboxes.set(role, []);
      this.environment.subscribe(role, (message) => {
        this.#inboxes.get(role)?.push(message);
        this.#wake(role);
      });
    }
  }

  /** Publishes the first message and resolves when the team is idle. */
  run(first: MessageOf<Messages>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
      const onAbort = () => this.#fail(new AbortError('the run was cancelled', { cause: this.#context.signal.reason }));
      if (this.#context.signal.aborted) return onAbort();
      this.#context.signal.addEventListener('abort', onAbort, { once: true });
      this.environment.publish(first);
      this.#checkIdle();
    });
  }

  #wake(role: Role<Context, Messages>): void {
    if (this.#busy.has(role) || this.#failed) return;
    const message = this.#inboxes.get(role)?.shift();
    if (!message) return;
    this.#busy.add(role);
    const reaction = role.react(message, this.#context).then(
      (published) => {
        this.#busy.delete(role);
        if (this.#failed) return;
        for (const next of published) this.environment.publish(next);
        this.#wake(role);
        this.#checkIdle();
      },
      (error: unknown) => {
        this.#busy.delete(role);
        this.#fail(error);
      },
    );
    this.#reactions.add(reaction);
    void reaction.finally(() => this.#reactions.delete(reaction));
  }

  /**
   * Resolves once no role is reacting any more. `run` rejects at the first failure while other roles may
   * still be busy; the run's end aborts them and waits here before its terminal event.
   */
  async settled(): Promise<void> {
    while (this.#reactions.size > 0) await Promise.allSettled([...this.#reactions]);
  }

  #checkIdle(): void {
    if (this.#failed || this.#busy.size > 0) return;
    for (const inbox of this.#inboxes.values()) if (inbox.length > 0) return;
    this.#settle?.resolve();
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#settle?.reject(error);
  }
}
