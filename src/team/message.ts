import { randomUUID } from 'node:crypto';

/** The cause of the message that starts every run: the user's topic. */
export const USER_REQUIREMENT = 'UserRequirement';

/**
 * What roles send each other, as MetaGPT's roles do: `causeBy` names the action that produced it, which is
 * what roles watch; `sendTo` names the roles it is for (`*`: everyone watching its cause).
 */
export interface Message<P = unknown> {
  id: string;
  content: string;
  payload: P;
  /** The role that wrote it. */
  role: string;
  /** The action that produced it, e.g. `KeywordExtract`. */
  causeBy: string;
  sentFrom: string;
  sendTo: readonly string[];
}

export function createMessage<P>(fields: {
  content: string;
  payload: P;
  role: string;
  causeBy: string;
  sendTo?: readonly string[];
}): Message<P> {
  return {
    id: randomUUID(),
    content: fields.content,
    payload: fields.payload,
    role: fields.role,
    causeBy: fields.causeBy,
    sentFrom: fields.role,
    sendTo: fields.sendTo ?? ['*'],
  };
}
