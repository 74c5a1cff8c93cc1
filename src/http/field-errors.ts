import type { FastifyRequest, FastifySchema } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { type FieldError, isRecord } from '../payments/errors.ts';
import { FIELD_RULES } from './schemas.ts';

/** A schema error as TypeBox (and Fastify's ajv) report it. */
interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

type Part = 'params' | 'body' | 'querystring' | 'headers';
const PARTS: readonly Part[] = ['params', 'body', 'querystring', 'headers'];

const compiled = new WeakMap<object, ReturnType<typeof Compile>>();

/**
 * Every invalid field of a request, across path, body, query and headers. Fastify stops at the
 * first part that fails, so once it has failed one, all parts are checked again here: a client
 * fixes its request in one round, not one field per round.
 */
export function collectFieldErrors(request: FastifyRequest): FieldError[] {
  const schemas: FastifySchema = request.routeOptions.schema ?? {};
  const errors: FieldError[] = [];
  for (const part of PARTS) {
    const schema = schemas[part];
    if (!isSchema(schema)) continue;
    errors.push(...toFieldErrors(part, check(schema, partValue(request, part))));
  }
  return dedupe(errors);
}

/** Field errors of one part, from the errors a validator reported. */
export function toFieldErrors(part: Part, schemaErrors: readonly SchemaError[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const error of schemaErrors) {
    const path = error.instancePath.split('/').filter((s) => s !== '');
    if (error.keyword === 'required') {
      for (const name of namesIn(error.params.requiredProperties ?? error.params.missingProperty)) {
        errors.push({ param: paramName(part, [...path, name]), message: 'is required' });
      }
    } else if (error.keyword === 'additionalProperties') {
      const names = namesIn(error.params.additionalProperties ?? error.params.additionalProperty);
      for (const name of names) {
        errors.push({ param: paramName(part, [...path, name]), message: 'is not allowed' });
      }
    } else if (error.keyword === 'boolean' && error.message === 'schema is false') {
      // TypeBox also reports each extra property against `additionalProperties: false`.
      errors.push({ param: paramName(part, path), message: 'is not allowed' });
    } else if (path.length === 0) {
      errors.push({ param: part, message: 'must be a JSON object' });
    } else {
      const param = paramName(part, path);
      errors.push({ param, message: FIELD_RULES[param] ?? error.message ?? 'is invalid' });
    }
  }
  return dedupe(errors);
}

function check(schema: TSchema, value: unknown): SchemaError[] {
  let validator = compiled.get(schema);
  if (validator === undefined) {
    validator = Compile(schema);
    compiled.set(schema, validator);
  }
  return validator.Errors(value);
}

function partValue(request: FastifyRequest, part: Part): unknown {
  if (part === 'body') return request.body;
  // Fastify's TypeBox compiler converts strings for these parts; do the same.
  const raw =
    part === 'params' ? request.params : part === 'querystring' ? request.query : request.headers;
  const schema = request.routeOptions.schema?.[part];
  return isSchema(schema) ? Value.Convert(schema, raw) : raw;
}

function paramName(part: Part, path: readonly string[]): string {
  const name = path.join('.');
  if (part === 'headers') {
    // Header names arrive lower-cased; answer with the documented spelling.
    return name.replace(
      /(^|-)([a-z])/g,
      (_, dash: string, letter: string) => dash + letter.toUpperCase(),
    );
  }
  return name === '' ? part : name;
}

function namesIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** One message per field: the first problem found is the one worth fixing first. */
function dedupe(errors: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  const unique: FieldError[] = [];
  for (const error of errors) {
    if (seen.has(error.param)) continue;
    seen.add(error.param);
    unique.push(error);
  }
  return unique;
}

function isSchema(value: unknown): value is TSchema {
  return isRecord(value);
}
