/**
 * Route validators compiled on a route's first call instead of at start: a CI job waits on start-up, and most
 * runs call few of the sandbox's routes. Fastify's own Ajv compiler does the compiling, with the options and
 * plugins given to Fastify, so validation is what it would be.
 */
import ajvCompiler from '@fastify/ajv-compiler';
import { compiledOnFirstCall, type LazyValidator } from '../model/validator.js';

type Validator = LazyValidator & { schemaEnv?: unknown };
type Compile = (route: unknown) => Validator;

/** A `compilersFactory.buildValidator` for Fastify's schema controller. */
export function lazyValidators(): ajvCompiler.BuildCompilerFromPool {
  const build = ajvCompiler();
  const made = (...made: Parameters<typeof build>): Compile => {
    const compile = build(...made) as unknown as Compile;
    return (route) => routeValidator(() => compile(route));
  };
  // Fastify calls what this makes with a route's part, not with the bare schema its types say.
  return made as unknown as ajvCompiler.BuildCompilerFromPool;
}

/**
 * Compiles on the route's first call. Fastify gives an Ajv validator (one with a schemaEnv) the request as the
 * validated part's parent, so that coercion can replace the part itself: this one is an Ajv validator too.
 */
function routeValidator(compile: () => Validator): Validator {
  const lazy = compiledOnFirstCall(compile);
  lazy.schemaEnv = true;
  return lazy;
}
