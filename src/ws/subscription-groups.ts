import { createSourceEventStream, execute, ExecutionArgs, ExecutionResult, print } from 'graphql';
import { Context } from '../graphql/context';
import { eventContext } from '../graphql/event-execution';
import { MemberStream } from './member-stream';

/** Where a group sends one subscriber its events: the socket layer (websocket.ts) frames them. */
export interface Subscriber {
  /**
   * Sends one event's result; `shared()` is that result serialized once for the whole group
   * (computed on first call). A result with errors is formatted per subscriber instead.
   */
  deliver(result: ExecutionResult, shared: () => string): void;
}

/** An event that decides, subscriber by subscriber, whether they may receive it (a DeletionEventDelivery). */
interface AdmittingEvent {
  admit(context: Context): Promise<boolean>;
}

interface Member {
  context: Context;
  subscriber: Subscriber;
  stream: MemberStream;
}

/**
 * Subscriptions that would get the same result for every event share one execution: they are
 * grouped by (document, operation name, variables, role, workspace), and each group has one
 * source stream and executes each event once, serialized once, for all its members. No field of
 * a subscription depends on the viewer beyond their role and workspace (docs/subscription-delivery.md).
 * Rights stay per subscriber: each event is admitted member by member (`admit`) before the group
 * executes it, and a member refused ends alone.
 */
export class SubscriptionGroups {
  private readonly groups = new Map<string, Promise<Group | ExecutionResult>>();

  /** graphql-ws's `subscribe` for one subscriber: joins (or opens) its group. */
  async subscribe(args: ExecutionArgs, subscriber: Subscriber): Promise<AsyncIterable<never> | ExecutionResult> {
    const context = args.contextValue as Context;
    const key = groupKey(args, context);
    let opening = this.groups.get(key);
    if (!opening) {
      opening = this.open(key, args);
      this.groups.set(key, opening);
    }
    const group = await opening;
    if (!(group instanceof Group)) return group;
    // The group emptied and closed while this subscriber waited for it to open: open another.
    if (group.closed) return this.subscribe(args, subscriber);
    return group.join(context, subscriber);
  }

  /**
   * Subscribes once for the group, with its first member's context: who may subscribe depends on
   * role and workspace only, which every member shares. A refusal is every member's answer.
   */
  private async open(key: string, args: ExecutionArgs): Promise<Group | ExecutionResult> {
    const forget = () => this.groups.delete(key);
    try {
      const events = await createSourceEventStream(args);
      if (!(Symbol.asyncIterator in events)) {
        forget();
        return events;
      }
      const group = new Group(events, args, forget);
      void group.run();
      return group;
    } catch (error) {
      forget();
      throw error;
    }
  }
}

/** One execution per event for every member; members are admitted one by one before it. */
class Group {
  private readonly members = new Set<Member>();
  closed = false;

  constructor(
    private readonly events: AsyncIterable<unknown>,
    private readonly args: ExecutionArgs,
    private readonly onClose: () => void,
  ) {}

  join(context: Context, subscriber: Subscriber): MemberStream {
    const member: Member = { context, subscriber, stream: new MemberStream(() => this.leave(member)) };
    this.members.add(member);
    return member.stream;
  }

  /** Events one after the other, as graphql's own subscribe: a member gets them in order. */
  async run(): Promise<void> {
    try {
      for await (const event of this.events) await this.deliver(event);
      for (const member of this.members) member.stream.complete();
    } catch (error) {
      for (const member of this.members) member.stream.fail(error);
    } finally {
      this.close();
    }
  }

  private async deliver(event: unknown): Promise<void> {
    const members = [...this.members];
    // All at once, so the delivery's loaders read every member in one statement.
    const verdicts = await Promise.allSettled(members.map((member) => admit(event, member.context)));
    const admitted = members.filter((member, i) => {
      const verdict = verdicts[i];
      if (verdict.status === 'rejected') member.stream.fail(verdict.reason);
      return verdict.status === 'fulfilled' && verdict.value;
    });
    if (admitted.length === 0) return;
    // Any admitted member speaks for the group: they share role and workspace.
    const result = await execute({
      ...this.args,
      rootValue: event,
      contextValue: eventContext(admitted[0].context, event),
    });
    let serialized: string | undefined;
    const shared = () => (serialized ??= JSON.stringify(result));
    for (const member of admitted) if (!member.stream.ended) member.subscriber.deliver(result, shared);
  }

  private leave(member: Member): void {
    this.members.delete(member);
    if (this.members.size === 0) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    // graphql's source streams are their own iterators: this ends the group's one pub/sub subscription.
    const ending = this.events[Symbol.asyncIterator]().return?.();
    // A failure to end it has nobody left to tell.
    ending?.catch(() => undefined);
  }
}

/** Rights are checked per subscriber and per event: an event that cannot say who may have it goes to nobody. */
function admit(event: unknown, context: Context): Promise<boolean> {
  if (typeof event === 'object' && event !== null && 'admit' in event) return (event as AdmittingEvent).admit(context);
  return Promise.reject(new Error('An event without `admit` reached a subscription group.'));
}

/** Subscribers with equal keys get equal results for every event. */
function groupKey(args: ExecutionArgs, context: Context): string {
  const user = context.viewer.user;
  return JSON.stringify([
    args.document.loc?.source.body ?? print(args.document),
    args.operationName ?? null,
    args.variableValues ?? null,
    user?.role ?? null,
    user?.workspaceId ?? null,
  ]);
}
