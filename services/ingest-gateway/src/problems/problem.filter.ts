import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { type FastifyReply } from 'fastify';

import { IngestError } from '../events/ingest-error.js';
import { Problem, PROBLEM_OF } from './problem.js';

function fromIngestError(error: IngestError): Problem {
  const { status, slug, title } = PROBLEM_OF[error.kind];
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.kind === 'unauthenticated') headers['www-authenticate'] = 'Bearer';
  const extra = error.rejected ? { rejected: error.rejected } : {};
  return new Problem(status, slug, title, error.detail, extra, headers);
}

/** Fastify's own request errors (body limit, content type, JSON syntax, gzip) by their code. */
function fromFastifyError(error: { statusCode: number; code?: string; message: string }): Problem {
  switch (error.statusCode) {
    case 404:
      return new Problem(404, 'not-found', 'No such endpoint', error.message);
    case 413:
      return new Problem(413, 'payload-too-large', 'Request is too large', error.message);
    case 415:
      return new Problem(
        415,
        'unsupported-media-type',
        'Unsupported content type or encoding',
        `${error.message}; send application/json or application/x-ndjson, optionally gzip-encoded`,
      );
    default:
      return new Problem(
        error.statusCode >= 500 ? 400 : error.statusCode,
        'malformed-body',
        'Bad request',
        error.message,
      );
  }
}

/** The one place HTTP errors become problem+json; no stack trace ever reaches a client. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let problem: Problem;
    if (exception instanceof IngestError) {
      problem = fromIngestError(exception);
    } else if (exception instanceof HttpException) {
      // Nest wraps Fastify's body errors (JSON syntax, body limit, bad gzip) as HttpExceptions.
      problem = fromFastifyError({ statusCode: exception.getStatus(), message: exception.message });
    } else if (isFastifyError(exception)) {
      problem = fromFastifyError(exception);
    } else {
      this.logger.error(`unhandled error: ${(exception as Error)?.stack ?? String(exception)}`);
      problem = new Problem(500, 'internal', 'Internal error');
    }
    void reply
      .status(problem.status)
      .headers(problem.headers)
      .header('content-type', 'application/problem+json')
      .send(JSON.stringify(problem.toJSON()));
  }
}

function isFastifyError(error: unknown): error is { statusCode: number; code?: string; message: string } {
  return (
    typeof error === 'object' && error !== null && typeof (error as { statusCode?: unknown }).statusCode === 'number'
  );
}
