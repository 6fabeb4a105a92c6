import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const ROOT = resolve(__dirname, '../../../..');
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** `POST /api/v1/sessions`: a method and a path template, as the document spells them. */
export type Operation = `${'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH'} /${string}`;

/** What the contract checks of an answer. Header names in lower case, as Node gives them. */
export interface ObservedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

type Json = Record<string, unknown>;
interface HeaderDoc {
  required?: boolean;
  schema?: Json;
}
interface ResponseDoc {
  headers?: Record<string, HeaderDoc | { $ref: string }>;
  content?: Record<string, { schema?: Json }>;
}

/** A JSON pointer into the document, as a URI fragment (`{sessionId}` must be percent-encoded). */
function pointer(...segments: string[]): string {
  return `#/${segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
}

function parseOperation(operation: Operation): { method: string; path: string } {
  const [method, path] = operation.split(' ');
  return { method: method.toLowerCase(), path };
}

/**
 * The served OpenAPI document as a checker of real traffic: every (operation, status) it
 * documents, and each answer's status, headers and body against it, with ajv.
 */
export class ApiContract {
  private readonly ajv: Ajv;
  private readonly declaredHeaders: Set<string>;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: Json) {
    // The document is OpenAPI 3.0: `nullable` is understood by ajv; `example` and the like are not schema keywords.
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addSchema(document, 'openapi.json');
    this.declaredHeaders = new Set(
      this.operations().flatMap((operation) =>
        Object.values(this.responsesOf(operation)).flatMap((response) =>
          Object.keys(response.headers ?? {}).map((name) => name.toLowerCase()),
        ),
      ),
    );
  }

  /** Every documented operation, e.g. `POST /api/v1/sessions`. */
  operations(): Operation[] {
    const paths = this.document.paths as Record<string, Json>;
    return Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => HTTP_METHODS.includes(key))
        .map((method) => `${method.toUpperCase()} ${path}` as Operation),
    );
  }

  /** Every documented (operation, status) pair, e.g. `POST /api/v1/sessions 201`. */
  documentedPairs(): string[] {
    return this.operations().flatMap((operation) =>
      Object.keys(this.responsesOf(operation)).map((status) => `${operation} ${status}`),
    );
  }

  /** What is wrong with a request body, by the operation's requestBody schema (empty when it conforms). */
  requestBodyProblems(operation: Operation, body: unknown): string[] {
    const { method, path } = parseOperation(operation);
    const location = pointer('paths', path, method, 'requestBody', 'content', 'application/json', 'schema');
    return this.validate(location, body);
  }

  /** What is wrong with an answer of `operation`, by the document (empty when it conforms). */
  responseProblems(operation: Operation, response: ObservedResponse): string[] {
    const responses = this.responsesOf(operation);
    const status = String(response.status);
    if (!responses[status]) return [`status ${status} is not documented for ${operation}`];
    const { method, path } = parseOperation(operation);
    const at = (...rest: string[]) => pointer('paths', path, method, 'responses', status, ...rest);
    return [
      ...this.headerProblems(responses[status], response, at),
      ...this.bodyProblems(responses[status], response, at),
    ];
  }

  private responsesOf(operation: Operation): Record<string, ResponseDoc> {
    const { method, path } = parseOperation(operation);
    const item = (this.document.paths as Record<string, Json | undefined>)[path];
    const op = item?.[method] as { responses?: Record<string, ResponseDoc> } | undefined;
    if (!op) throw new Error(`${operation} is not in the document`);
    return op.responses ?? {};
  }

  private headerDoc(header: HeaderDoc | { $ref: string }): { doc: HeaderDoc; location?: string } {
    if (!('$ref' in header)) return { doc: header };
    const name = header.$ref.replace('#/components/headers/', '');
    const components = (this.document.components as { headers: Record<string, HeaderDoc> }).headers;
    return { doc: components[name], location: pointer('components', 'headers', name, 'schema') };
  }

  private headerProblems(
    declared: ResponseDoc,
    response: ObservedResponse,
    at: (...rest: string[]) => string,
  ): string[] {
    const problems: string[] = [];
    const names = new Set<string>();
    for (const [name, header] of Object.entries(declared.headers ?? {})) {
      names.add(name.toLowerCase());
      const { doc, location } = this.headerDoc(header);
      const value = response.headers[name.toLowerCase()];
      if (value === undefined) {
        if (doc.required) problems.push(`required header ${name} is missing`);
        continue;
      }
      if (Array.isArray(value)) {
        problems.push(`header ${name} is sent ${value.length} times`);
        continue;
      }
      const type = doc.schema?.type;
      const typed =
        (type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
      const schemaAt = location ?? at('headers', name, 'schema');
      problems.push(...this.validate(schemaAt, typed).map((problem) => `header ${name}: ${problem}`));
    }
    // A header the API declares somewhere must be declared where it is sent.
    for (const name of Object.keys(response.headers)) {
      if (this.declaredHeaders.has(name) && !names.has(name)) {
        problems.push(`header ${name} is sent but not declared for status ${response.status}`);
      }
    }
    return problems;
  }

  private bodyProblems(declared: ResponseDoc, response: ObservedResponse, at: (...rest: string[]) => string) {
    const content = declared.content ?? {};
    if (Object.keys(content).length === 0) {
      return response.text === ''
        ? []
        : [`a body is sent but none is declared: ${response.text.slice(0, 200)}`];
    }
    const contentType = String(response.headers['content-type'] ?? '');
    const mediaType = contentType.split(';')[0].trim().toLowerCase();
    if (!content[mediaType]) {
      return [`content type ${contentType || '(none)'} is not one of ${Object.keys(content).join(', ')}`];
    }
    let body: unknown = response.text;
    if (mediaType === 'application/json') {
      try {
        body = JSON.parse(response.text);
      } catch {
        return [`the body is not JSON: ${response.text.slice(0, 200)}`];
      }
    }
    return this.validate(at('content', mediaType, 'schema'), body).map((problem) => `body: ${problem}`);
  }

  private validate(location: string, value: unknown): string[] {
    let validate = this.validators.get(location);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi.json${location}` });
      this.validators.set(location, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(describe);
  }
}

function describe(error: ErrorObject): string {
  const params = JSON.stringify(error.params);
  return `${error.instancePath || '(root)'} ${error.message ?? error.keyword} ${params}`;
}

export interface LintResult {
  totals: { errors: number; warnings: number; ignored: number };
  problems: Array<{ ruleId: string; severity: string; message: string; location: unknown }>;
}

/**
 * `redocly lint` of the document, with the repository's redocly.yaml, on a temporary copy.
 * Telemetry is off there and here (REDOCLY_TELEMETRY), so the run makes no network call.
 */
export async function redoclyLint(document: unknown): Promise<LintResult> {
  const dir = mkdtempSync(join(process.env.TEST_TMP_DIR ?? tmpdir(), 'openapi-'));
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(document, null, 2));
  try {
    const cli = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [cli, 'lint', '--config', join(ROOT, 'redocly.yaml'), '--format=json', file],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', REDOCLY_TELEMETRY: 'off' },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((error: { stdout?: string; stderr?: string }) => {
      // Exit code 1 when there are errors: the JSON report is still on stdout.
      if (error.stdout) return { stdout: error.stdout };
      throw new Error(`redocly lint did not run: ${error.stderr ?? String(error)}`);
    });
    return JSON.parse(stdout) as LintResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
