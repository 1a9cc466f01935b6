/**
 * What the GitHub and GitLab pull-request clients share: one repository's API base and headers,
 * requests named for their errors, the default branch, paged lists, and finding the existing
 * request when the forge refuses a duplicate.
 */
import { z } from 'zod';
import { TransientError } from '../../errors.ts';
import type { PullRequest } from '../../ports/pull-requests.ts';
import { forgeRequest, parseAnswer, type FetchLike, type ForgeCall } from './forge-http.ts';

const PAGE = 100;
const MAX_PAGES = 10;
const DefaultBranch = z.object({ default_branch: z.string().min(1) });

export abstract class ForgeRepoApi {
  abstract readonly provider: 'github' | 'gitlab';

  constructor(
    /** The repository's API URL (every path is below it). */
    protected readonly base: string,
    readonly repository: string,
    private readonly headers: Record<string, string>,
    private readonly fetchFn: FetchLike,
  ) {}

  protected call(what: string): ForgeCall {
    return { provider: this.provider, repository: this.repository, what };
  }

  protected send(what: string, method: string, path: string, body?: unknown, accept?: (s: number) => boolean) {
    return forgeRequest(
      this.fetchFn,
      this.call(what),
      `${this.base}${path}`,
      { method, headers: this.headers, body },
      accept,
    );
  }

  async defaultBranch(): Promise<string> {
    const what = 'read the default branch';
    return parseAnswer(this.call(what), DefaultBranch, (await this.send(what, 'GET', '')).json).default_branch;
  }

  /** Every page of a list (at most 1,000 items): `query(page, perPage)` gives the path of one page. */
  protected async paged<T>(
    what: string,
    schema: z.ZodType<T>,
    query: (page: number, perPage: number) => string,
    convert: (item: T) => PullRequest,
  ): Promise<PullRequest[]> {
    const out: PullRequest[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const items = parseAnswer(
        this.call(what),
        z.array(schema),
        (await this.send(what, 'GET', query(page, PAGE))).json,
      );
      out.push(...items.map(convert));
      if (items.length < PAGE) break;
    }
    return out;
  }

  /** The open request of `head` the forge said already exists (it must list it). */
  protected async existing(noun: string, found: PullRequest[], head: string, base: string): Promise<PullRequest> {
    const existing = found.find((p) => p.head === head);
    if (existing) return existing;
    const forge = this.provider === 'github' ? 'GitHub' : 'GitLab';
    throw new TransientError(
      'forge.inconsistent',
      `${forge} says a ${noun} ${head} → ${base} exists on ${this.repository} but lists none`,
    );
  }
}
