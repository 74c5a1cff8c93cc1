import { isRecord } from '../../payments/errors.ts';
import { ProblemSchema } from '../schemas.ts';

/** The name under which the problem schema is shared: clients generate one type for it. */
const PROBLEM_COMPONENT = 'Problem';
const PROBLEM_JSON = JSON.stringify(ProblemSchema);

/**
 * Final touches on the document @fastify/swagger generated from the route schemas, in place:
 * - the problem schema, inlined by every error response, becomes one shared component;
 * - header parameters get their usual spelling (Fastify wants header schemas in lower case);
 * - a GET's body is left out: the history route accepts one but needs none (see its description),
 *   and a browser cannot send one, so "try it out" would fail on it.
 */
export function polishDocument(document: unknown): void {
  if (!isRecord(document) || !isRecord(document.paths)) return;

  let problemUsed = false;
  for (const pathItem of Object.values(document.paths)) {
    if (!isRecord(pathItem)) continue;
    for (const [method, operation] of Object.entries(pathItem)) {
      if (!isRecord(operation)) continue;
      for (const parameter of arrayOf(operation.parameters)) {
        if (
          isRecord(parameter) &&
          parameter.in === 'header' &&
          typeof parameter.name === 'string'
        ) {
          parameter.name = headerCase(parameter.name);
        }
      }
      if (method === 'get') delete operation.requestBody;
      for (const media of mediaOf(operation.responses)) {
        if (JSON.stringify(media.schema) !== PROBLEM_JSON) continue;
        media.schema = { $ref: `#/components/schemas/${PROBLEM_COMPONENT}` };
        problemUsed = true;
      }
    }
  }

  if (problemUsed) {
    const components = isRecord(document.components) ? document.components : {};
    const schemas = isRecord(components.schemas) ? components.schemas : {};
    schemas[PROBLEM_COMPONENT] = structuredClone(ProblemSchema);
    components.schemas = schemas;
    document.components = components;
  }
}

/** Every media type object of every response. */
function mediaOf(responses: unknown): Record<string, unknown>[] {
  if (!isRecord(responses)) return [];
  return Object.values(responses)
    .flatMap((response) =>
      isRecord(response) && isRecord(response.content) ? Object.values(response.content) : [],
    )
    .filter(isRecord);
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `idempotency-key` -> `Idempotency-Key` */
function headerCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => {
    return dash + letter.toUpperCase();
  });
}
