import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { type FastifyReply } from 'fastify';

import { Problem } from './problem.js';

/** The one place HTTP errors become problem+json; no stack trace ever reaches a client. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let problem: Problem;
    if (exception instanceof Problem) {
      problem = exception;
    } else if (exception instanceof HttpException) {
      const status = exception.getStatus();
      problem = new Problem(status, status === 404 ? 'not-found' : 'http-error', exception.message);
    } else if (isFastifyError(exception)) {
      problem =
        exception.statusCode === 413
          ? new Problem(413, 'payload-too-large', 'Request is too large', exception.message)
          : exception.statusCode === 415
            ? new Problem(415, 'unsupported-media-type', 'Unsupported content type', exception.message)
            : new Problem(exception.statusCode, 'malformed-body', 'Bad request', exception.message);
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

function isFastifyError(error: unknown): error is { statusCode: number; message: string } {
  return (
    typeof error === 'object' && error !== null && typeof (error as { statusCode?: unknown }).statusCode === 'number'
  );
}
