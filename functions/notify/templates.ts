/**
 * Tenant message templates: Handlebars in strict mode, so a template that names a variable the
 * message does not have fails loudly (the row goes to review) instead of sending a blank.
 */
import Handlebars from 'handlebars';

export class TemplateVariableError extends Error {
  override name = 'TemplateVariableError';
}

const compiled = new Map<string, Handlebars.TemplateDelegate>();

export function renderTemplate(template: string, variables: Record<string, unknown>): string {
  let render = compiled.get(template);
  if (!render) {
    // noEscape: these are SMS and plain-text email bodies, not HTML.
    render = Handlebars.compile(template, { strict: true, noEscape: true });
    compiled.set(template, render);
  }
  try {
    return render(variables).trim();
  } catch (error) {
    throw new TemplateVariableError(`Template needs a variable this message does not have: ${(error as Error).message.split('\n')[0]}`);
  }
}
