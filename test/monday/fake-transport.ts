// A scripted MondayTransport for unit tests of our own policies: each call takes the next step of the script.
import type { DocumentNode } from "graphql";
import type { MondayResponse, MondayTransport, RequestOptions } from "../../src/monday/index.js";

/** One scripted answer: a response (partial fields filled in), an error to throw, or a function of the call. */
export type Step =
  | {
      data?: unknown;
      errors?: MondayResponse<unknown>["errors"];
      headers?: MondayResponse<unknown>["headers"];
    }
  | Error
  | ((call: Call) => Promise<MondayResponse<unknown>> | MondayResponse<unknown>);

export interface Call {
  document: DocumentNode;
  variables: Record<string, unknown>;
  options: RequestOptions;
  /** `Date.now()` when the call arrived (fake time under `vi.useFakeTimers`). */
  at: number;
}

export class ScriptedTransport implements MondayTransport {
  readonly calls: Call[] = [];

  constructor(
    private readonly script: Step[] = [],
    /** What to answer once the script is used up. */
    private readonly fallback: Step = { data: { ok: true } },
  ) {}

  push(...steps: Step[]): this {
    this.script.push(...steps);
    return this;
  }

  async request<T>(
    document: DocumentNode,
    variables: Record<string, unknown>,
    options: RequestOptions = {},
  ): Promise<MondayResponse<T>> {
    const call = { document, variables, options, at: Date.now() };
    this.calls.push(call);
    const step = this.script.shift() ?? this.fallback;
    if (step instanceof Error) throw step;
    if (typeof step === "function") return (await step(call)) as MondayResponse<T>;
    return {
      data: (step.data ?? null) as T | null,
      errors: step.errors ?? [],
      headers: step.headers ?? {},
      status: 200,
    };
  }
}
