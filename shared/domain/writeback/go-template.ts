/**
 * A compiled Go `text/template` (the subset tagflow supports). Parse errors are PermanentErrors
 * with code 'writeback.template'; execution errors are TemplateExecError so callers can fall back.
 */
import { PermanentError } from '../../errors.ts';
import { executeGoTemplate, TemplateExecError } from './go-template-exec.ts';
import { TemplateSyntaxError } from './go-template-lex.ts';
import { parseGoTemplate, type TemplateNode } from './go-template-parse.ts';

export { TemplateExecError };

export interface CompiledTemplate {
  readonly name: string;
  execute(data: unknown): string;
}

export function compileGoTemplate(name: string, source: string): CompiledTemplate {
  let nodes: TemplateNode[];
  try {
    nodes = parseGoTemplate(source);
  } catch (e) {
    if (e instanceof TemplateSyntaxError) {
      throw new PermanentError('writeback.template', `template: ${name}:${e.message}`, { cause: e });
    }
    throw e;
  }
  return {
    name,
    execute(data: unknown): string {
      try {
        return executeGoTemplate(nodes, data);
      } catch (e) {
        if (e instanceof TemplateExecError) throw new TemplateExecError(`template: ${name}: executing: ${e.message}`);
        throw e;
      }
    },
  };
}
