/**
 * Message templates (the catalogue's wording and tenants' own): Handlebars in strict mode, so a
 * template that names a variable the message has no value for fails loudly (the row goes to review)
 * instead of sending a blank; `{{#if x}}` makes a variable optional. `templateVariables` lists what a
 * template uses, so a template is checked against its kind when saved.
 *
 * Handlebars (its parser and compiler, ~20 ms of init) loads on the first render or check, not when
 * a function starts: half the functions that import the catalogue only read its kinds, and the ones
 * that render pay it once per warm container (issue 19 item 2).
 */
import type * as HandlebarsModule from 'handlebars';

type Handlebars = typeof HandlebarsModule;

export class TemplateVariableError extends Error {
  override name = 'TemplateVariableError';
}

let loaded: Promise<Handlebars> | undefined;
/** Handlebars, imported on first use (esbuild keeps it in the bundle, evaluated only when reached). */
const handlebars = (): Promise<Handlebars> => {
  loaded ??= import('handlebars').then((module) => module.default);
  return loaded;
};

const compiled = new Map<string, HandlebarsModule.TemplateDelegate>();

export async function renderTemplate(template: string, variables: Record<string, unknown>): Promise<string> {
  let render = compiled.get(template);
  if (!render) {
    // noEscape: SMS and plain-text bodies; the HTML email part escapes the finished text itself.
    render = (await handlebars()).compile(template, { strict: true, noEscape: true });
    compiled.set(template, render);
  }
  try {
    // One space between words, and no doubled stop after a Spanish "a.m." that ends a sentence.
    return render(variables)
      .replace(/\s+/g, ' ')
      .replace(/([ap]\.\s?m\.)\./g, '$1')
      .trim();
  } catch (error) {
    throw new TemplateVariableError(`Template needs a variable this message does not have: ${(error as Error).message.split('\n')[0]}`);
  }
}

const BUILT_IN_HELPERS = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log', 'else', 'this']);

/** The variables a template names (helpers aside). Rejects when it is not valid Handlebars. */
export async function templateVariables(template: string): Promise<string[]> {
  const Handlebars = await handlebars();
  const names = new Set<string>();
  class Collect extends Handlebars.Visitor {
    override PathExpression(path: hbs.AST.PathExpression): void {
      if (path.data) return; // @index and friends
      const head = path.parts[0];
      if (head && !BUILT_IN_HELPERS.has(head)) names.add(head);
    }
  }
  new Collect().accept(Handlebars.parse(template));
  return [...names];
}
