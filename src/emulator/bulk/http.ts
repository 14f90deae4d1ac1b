/**
 * The bulk import's file endpoints, standing in for monday's S3 URLs (API-FACTS "Bulk import"): `PUT
 * /__bulk/upload/<job>` with `Content-Type: text/csv` answers 200 with an ETag; an expired URL (10 minutes),
 * another content type or an `x-amz-checksum-crc32` header get S3's 403. `GET /__bulk/report/<job>` serves
 * the report while its URL is valid (10 minutes).
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { HttpReply } from "../replies.js";
import { jobReport, type BulkJobBook } from "./book.js";
import { MAX_FILE_BYTES } from "./limits.js";

function s3Error(status: number, code: string, message: string): HttpReply {
  return {
    status,
    headers: { "Content-Type": "application/xml" },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  };
}

async function readBytes(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Keep one byte past the cap, so the job can be rejected FILE_TOO_LARGE without holding the rest.
    if (size <= MAX_FILE_BYTES + 1) chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function upload(
  book: BulkJobBook,
  req: IncomingMessage,
  jobId: string,
  secret: string,
): Promise<HttpReply> {
  const job = book.find(jobId);
  if (!job || !book.uploadValid(job, secret)) {
    req.resume();
    return s3Error(403, "AccessDenied", "Request has expired or the signature does not match");
  }
  if (req.headers["x-amz-checksum-crc32"] !== undefined) {
    req.resume();
    return s3Error(403, "AccessDenied", "x-amz-checksum-crc32 is not part of the signed request");
  }
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim();
  if (type !== "text/csv") {
    req.resume();
    return s3Error(403, "SignatureDoesNotMatch", "The URL was signed for Content-Type text/csv");
  }
  const bytes = (await readBytes(req)) ?? Buffer.alloc(0);
  book.accept(job, bytes);
  const etag = `"${createHash("md5").update(bytes).digest("hex")}"`;
  return { status: 200, headers: { ETag: etag, "Content-Type": "text/plain" }, body: "" };
}

function report(book: BulkJobBook, jobId: string, secret: string): HttpReply {
  const job = book.find(jobId);
  if (!job || !book.reportValid(job, secret)) return s3Error(403, "AccessDenied", "Request has expired");
  return { status: 200, headers: { "Content-Type": "text/csv; charset=utf-8" }, body: jobReport(job) };
}

/** Answers a request under `/__bulk/` (no API token: the URL is the credential, as with S3). */
export async function handleBulkHttp(book: BulkJobBook, req: IncomingMessage): Promise<HttpReply> {
  const url = new URL(req.url ?? "/", "http://emulator");
  const [, , kind, jobId = ""] = url.pathname.split("/");
  const secret = url.searchParams.get("X-Amz-Signature") ?? "";
  if (kind === "upload" && req.method === "PUT") return upload(book, req, jobId, secret);
  if (kind === "report" && req.method === "GET") return report(book, jobId, secret);
  req.resume();
  return s3Error(404, "NoSuchKey", "The specified key does not exist");
}
