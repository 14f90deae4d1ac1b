import { ResourceNotFoundError } from "./errors.js";

/** monday's `JobState` values. */
export type JobState = "PENDING" | "RUNNING" | "COMPLETED" | "FAILED" | "EXPIRED" | "CANCELLED";

/** What a job's work reports (`AsyncJobResult`). */
export interface JobOutcome {
  succeeded: number;
  failed: number;
  details: Record<string, unknown>;
}

/** An asynchronous job (`bulk_archive_items`), as `job_status` serves it. */
export interface JobRecord {
  id: string;
  status: JobState;
  total: number;
  createdAt: string;
  updatedAt: string;
  error: string | null;
  outcome: JobOutcome | null;
}

/** How long a job waits before it runs: long enough that its caller sees it PENDING, short for tests. */
export const JOB_START_DELAY_MS = 20;

/**
 * The account's asynchronous jobs (API 2026-07+: `bulk_archive_items` returns a `job_id`, polled with
 * `job_status`). A job's work runs after {@link JOB_START_DELAY_MS}, not inside the mutation, so its
 * effect is seen only once the job has run, as on monday.
 */
export class JobBook {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly pending = new Set<Promise<void>>();
  private nextId = 1;

  constructor(private readonly now: () => string) {}

  /** Queues `work` over `total` entries; returns the job (PENDING). */
  start(total: number, work: () => JobOutcome): JobRecord {
    const at = this.now();
    const job: JobRecord = {
      id: `job_${String(this.nextId++).padStart(8, "0")}`,
      status: "PENDING",
      total,
      createdAt: at,
      updatedAt: at,
      error: null,
      outcome: null,
    };
    this.jobs.set(job.id, job);
    const run = new Promise<void>((resolve) => {
      setTimeout(() => {
        this.run(job, work);
        resolve();
      }, JOB_START_DELAY_MS).unref();
    });
    this.pending.add(run);
    void run.then(() => this.pending.delete(run));
    return job;
  }

  /** The job `id`, or `ResourceNotFoundException`. */
  get(id: string): JobRecord {
    const job = this.jobs.get(id);
    if (!job) throw new ResourceNotFoundError("Job", id);
    return job;
  }

  /** Resolves once every queued job has run (tests and shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private run(job: JobRecord, work: () => JobOutcome): void {
    job.status = "RUNNING";
    try {
      job.outcome = work();
      job.status = "COMPLETED";
    } catch (error) {
      job.status = "FAILED";
      job.error = error instanceof Error ? error.message : String(error);
    }
    job.updatedAt = this.now();
  }
}
