import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** One span as the receiver decoded it, ids in lowercase hex. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  scope: string;
  startTimeUnixNano: bigint;
  attributes: Record<string, unknown>;
}

export interface ReceivedExport {
  contentType: string;
  body: Buffer;
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;

/** An OTLP/HTTP trace receiver on loopback: records every export and decodes JSON and protobuf bodies. */
export class OtlpReceiver {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly exports: ReceivedExport[],
  ) {}

  static async start(): Promise<OtlpReceiver> {
    const exports: ReceivedExport[] = [];
    const server = createServer((req, res) => {
      void readBody(req).then((body) => {
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        const contentType = String(req.headers['content-type'] ?? '');
        exports.push({ contentType, body });
        // An empty ExportTraceServiceResponse: `{}` in JSON, zero bytes in protobuf.
        const json = contentType.includes('json');
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : undefined);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new OtlpReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports);
  }

  spans(): ReceivedSpan[] {
    return this.exports.flatMap((received) =>
      received.contentType.includes('json')
        ? decodeJson(JSON.parse(received.body.toString('utf8')) as OtlpJsonRequest)
        : decodeProtobuf(received.body),
    );
  }

  /** Polls the received spans until `done` holds; fails naming `what` after `timeoutMs`. */
  async waitFor(
    done: (spans: ReceivedSpan[]) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const spans = this.spans();
      if (done(spans)) return spans;
      if (Date.now() > deadline) {
        throw new Error(
          `no ${what} after ${timeoutMs} ms; received: ${spans.map((s) => `${s.name} (${s.traceId})`).join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// --- OTLP/JSON (opentelemetry-proto's JSON mapping: hex ids, AnyValue objects) -----------------

interface OtlpJsonValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpJsonValue[] };
}
interface OtlpJsonRequest {
  resourceSpans?: Array<{
    scopeSpans?: Array<{
      scope?: { name?: string };
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        startTimeUnixNano: number | string;
        attributes?: Array<{ key: string; value: OtlpJsonValue }>;
      }>;
    }>;
  }>;
}

function jsonValue(value: OtlpJsonValue): unknown {
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(jsonValue);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue ?? value.doubleValue;
}

function decodeJson(request: OtlpJsonRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) =>
    (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) =>
      (scopeSpans.spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        name: span.name,
        kind: span.kind,
        scope: scopeSpans.scope?.name ?? '',
        startTimeUnixNano: BigInt(span.startTimeUnixNano),
        attributes: Object.fromEntries(
          (span.attributes ?? []).map(({ key, value }) => [key, jsonValue(value)]),
        ),
      })),
    ),
  );
}

// --- OTLP/protobuf: just enough of the wire format for ExportTraceServiceRequest ---------------

type Fields = Map<number, Array<bigint | Buffer>>;

/** Decodes one protobuf message into its fields: varints as bigint, length-delimited as bytes. */
function fields(buffer: Buffer): Fields {
  const out: Fields = new Map();
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[offset++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (offset < buffer.length) {
    const tag = varint();
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    let value: bigint | Buffer;
    if (wire === 0) value = varint();
    else if (wire === 1) value = buffer.subarray(offset, (offset += 8));
    else if (wire === 5) value = buffer.subarray(offset, (offset += 4));
    else if (wire === 2) {
      const length = Number(varint());
      value = buffer.subarray(offset, (offset += length));
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

const bytes = (f: Fields, n: number): Buffer | undefined => f.get(n)?.[0] as Buffer | undefined;
const all = (f: Fields, n: number): Buffer[] => (f.get(n) ?? []) as Buffer[];

function protobufValue(any: Fields): unknown {
  const text = bytes(any, 1);
  if (text) return text.toString('utf8');
  if (any.has(2)) return any.get(2)?.[0] === 1n;
  if (any.has(3)) return Number(any.get(3)?.[0]);
  const double = bytes(any, 4);
  if (double) return double.readDoubleLE(0);
  const array = bytes(any, 5);
  if (array) return all(fields(array), 1).map((value) => protobufValue(fields(value)));
  return undefined;
}

function decodeProtobuf(body: Buffer): ReceivedSpan[] {
  return all(fields(body), 1).flatMap((resourceSpans) =>
    all(fields(resourceSpans), 2).flatMap((scopeSpansBytes) => {
      const scopeSpans = fields(scopeSpansBytes);
      const scope = bytes(scopeSpans, 1);
      const scopeName = scope ? (bytes(fields(scope), 1)?.toString('utf8') ?? '') : '';
      return all(scopeSpans, 2).map((spanBytes) => {
        const span = fields(spanBytes);
        const parent = bytes(span, 4);
        return {
          traceId: bytes(span, 1)?.toString('hex') ?? '',
          spanId: bytes(span, 2)?.toString('hex') ?? '',
          parentSpanId: parent && parent.length > 0 ? parent.toString('hex') : undefined,
          name: bytes(span, 5)?.toString('utf8') ?? '',
          kind: Number(span.get(6)?.[0] ?? 0n),
          scope: scopeName,
          startTimeUnixNano: bytes(span, 7)?.readBigUInt64LE(0) ?? 0n,
          attributes: Object.fromEntries(
            all(span, 9).map((keyValue) => {
              const kv = fields(keyValue);
              const value = bytes(kv, 2);
              return [bytes(kv, 1)?.toString('utf8') ?? '', value ? protobufValue(fields(value)) : undefined];
            }),
          ),
        };
      });
    }),
  );
}
