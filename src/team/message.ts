import { randomUUID } from 'node:crypto';

/** The cause of the message that starts every run: the user's request. */
export const USER_REQUIREMENT = 'UserRequirement';

/**
 * What roles send each other, as MetaGPT's roles do: `causeBy` names the action that produced it, which is
 * what roles watch; `sendTo` names the roles it is for (`*`: everyone watching its cause). `payload` is what
 * that action produced: a team declares it per action in a message map (see `MessageOf`).
 */
export interface Message<Cause extends string = string, Payload = unknown> {
  id: string;
  content: string;
  payload: Payload;
  /** The role that wrote it. */
  role: string;
  /** The action that produced it, e.g. `KeywordExtract`. */
  causeBy: Cause;
  sentFrom: string;
  sendTo: readonly string[];
}

/**
 * The messages of a team whose map `Map` says what each action's messages carry (`{ KeywordExtract:
 * { keywords: string[] } }`): a union discriminated by `causeBy`, so that a role reading `payload` after
 * checking `causeBy` gets that action's type, never a cast.
 */
export type MessageOf<Map> = { [Cause in keyof Map & string]: Message<Cause, Map[Cause]> }[keyof Map & string];

export function createMessage<Cause extends string, Payload>(fields: {
  content: string;
  payload: Payload;
  role: string;
  causeBy: Cause;
  sendTo?: readonly string[];
}): Message<Cause, Payload> {
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
