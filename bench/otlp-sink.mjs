/**
 * `npm run bench -- --tracing`: the OTLP/HTTP endpoint the service exports its traces to.
 * It accepts POST /v1/traces (protobuf or JSON), counts the exports and their bytes and
 * throws them away, so the bench measures the cost of producing and sending spans, not of
 * a collector. GET /stats answers {exports, bytes}; GET /health answers 200.
 *
 * Environment: PORT, HOST (127.0.0.1).
 */
import http from 'node:http';

let exports = 0;
let bytes = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/v1/traces') {
    req.on('data', (chunk) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      exports += 1;
      const json = String(req.headers['content-type'] ?? '').includes('json');
      // An empty ExportTraceServiceResponse.
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
    });
    return;
  }
  if (req.method === 'GET' && (req.url === '/stats' || req.url === '/health')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(req.url === '/stats' ? JSON.stringify({ exports, bytes }) : '{"status":"ok"}');
    return;
  }
  res.writeHead(404).end();
});

server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 4318), process.env.HOST ?? '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
