type Answer<A extends unknown[], R> = (...args: A) => Promise<R>;

export interface HeldCall {
  /** Settles once the held call has arrived. */
  arrived: Promise<void>;
  /** Lets the held call go on with the answer it would have had. */
  release(): void;
  /** Makes the held call fail with this error. */
  fail(error: unknown): void;
}

/**
 * A test double's calls and answers: every call is recorded; queued answers go
 * first, in order, then the standing answer. No test framework inside, so that a
 * double compiles with the service (it is never imported by it).
 */
export class ScriptedCalls<A extends unknown[], R> {
  readonly calls: A[] = [];
  private readonly queued: Answer<A, R>[] = [];

  constructor(private standing: Answer<A, R>) {}

  /** Answers the next unanswered call this way. */
  once(answer: Answer<A, R>): this {
    this.queued.push(answer);
    return this;
  }

  /** Answers every call after the queued ones this way. */
  always(answer: Answer<A, R>): this {
    this.standing = answer;
    return this;
  }

  /** Fails the next unanswered call with this error. */
  failOnce(error: unknown): this {
    return this.once(() => Promise.reject(error));
  }

  /** Holds the next unanswered call until the test lets it go: a call still in flight. */
  holdNext(): HeldCall {
    let arrive: () => void = () => undefined;
    let release: () => void = () => undefined;
    let fail: (error: unknown) => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const gate = new Promise<void>((resolve, reject) => {
      release = resolve;
      fail = reject;
    });
    this.once(async (...args) => {
      arrive();
      await gate;
      return this.standing(...args);
    });
    return { arrived, release, fail };
  }

  run(...args: A): Promise<R> {
    this.calls.push(args);
    return (this.queued.shift() ?? this.standing)(...args);
  }
}
