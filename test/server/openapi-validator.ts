import { Ajv, type ValidateFunction } from 'ajv';

/**
 * Validates bodies against the server's own OpenAPI document: its component schemas are loaded into Ajv
 * (OpenAPI 3.1 schemas are JSON Schema; `#/components/schemas/X` refs are rewritten to `X`), and each route's
 * response schema is compiled from the document, so a test checks what a client reading the document expects.
 * Ajv runs in strict mode: a schema keyword Ajv does not know is itself a failure.
 */
export class OpenApiValidator {
  readonly ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  private readonly doc: any;

  constructor(doc: any) {
    this.doc = doc;
    // Keywords OpenAPI allows on a schema that JSON Schema validators treat as annotations.
    this.ajv.addKeyword('example');
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) this.ajv.addSchema(rewriteRefs(schema), name);
  }

  /** The response schema of `method path` for `status` (JSON content), compiled. */
  response(method: string, path: string, status: number): ValidateFunction {
    const schema = this.doc.paths?.[path]?.[method.toLowerCase()]?.responses?.[String(status)]?.content?.['application/json']?.schema;
    if (schema === undefined) throw new Error(`the document has no JSON response ${status} for ${method} ${path}`);
    return this.ajv.compile(rewriteRefs(schema));
  }

  /** Errors of `body` against a response schema, as one string ('' when valid). */
  check(method: string, path: string, status: number, body: unknown): string {
    const validate = this.response(method, path, status);
    return validate(body) ? '' : this.ajv.errorsText(validate.errors);
  }
}

function rewriteRefs(schema: unknown): any {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"'));
}
