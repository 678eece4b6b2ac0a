import { type FastifyReply } from 'fastify';

/** The console's one place HTTP errors are written: RFC 9457 problem+json, no stack traces. */
export function sendProblem(reply: FastifyReply, status: number, type: string, detail: string): void {
  void reply
    .status(status)
    .header('content-type', 'application/problem+json')
    .header('cache-control', 'no-store')
    .send({ type: `https://pulse.dev/problems/${type}`, title: type.replace(/-/g, ' '), status, detail });
}
