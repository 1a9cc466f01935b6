/**
 * A private working copy of one branch of one Git repository, owned by one job.
 * Implemented by `shared/adapters/git/simple-git-workspace.ts`.
 */
export interface GitAuth {
  username: string;
  password: string;
}

/** An SSH deploy key for `git@host:path` / `ssh://` remotes and the known_hosts lines trusted for them (strict). */
export interface GitSshAuth {
  privateKey: string;
  /** OpenSSH known_hosts text (Argo CD's `argocd-ssh-known-hosts-cm`); a host not in it is refused. */
  knownHosts: string;
  /** Where `knownHosts` comes from, named when a host key is unknown or changed. */
  knownHostsSource?: string;
  /** Argo CD's `insecure: "true"` on the repository Secret: any host key is accepted (never strict). */
  insecureIgnoreHostKey?: boolean;
}

export interface GitAuthor {
  name: string;
  email: string;
}

export interface GitWorkspace {
  readonly dir: string;
  /** The commit the working copy is at. */
  head(): Promise<string>;
  /** Content of a file relative to the repository root, or null when absent. Rejects paths escaping the repo. */
  readFile(path: string): Promise<string | null>;
  writeFile(path: string, content: string): Promise<void>;
  /** Stages everything and commits. Returns the new SHA, or null when there is nothing to commit. */
  commit(message: string, author: GitAuthor): Promise<string | null>;
  /** Pushes the branch. A rejected (non-fast-forward) push throws ConflictError; `force` replaces the remote branch. */
  push(options?: { force?: boolean }): Promise<void>;
  /** Fetches the branch and hard-resets the working copy to the remote head (before re-applying a plan). */
  resetToRemote(): Promise<void>;
  /** Gives the working copy up (removed, or kept by a clone cache for the next workspace). Safe to call twice. */
  dispose(): Promise<void>;
}

export interface GitWorkspaceFactory {
  /**
   * Clones `branch`; with a different `pushBranch` (git-branch `base:write`) the working copy is the
   * push branch when it exists on the remote, else a new branch started from `branch`.
   */
  open(options: {
    repoUrl: string;
    branch: string;
    pushBranch?: string;
    /** HTTPS username/password. */
    auth?: GitAuth;
    /** SSH deploy key (ssh remotes only). */
    ssh?: GitSshAuth;
  }): Promise<GitWorkspace>;
  /** Removes what it keeps between workspaces (at shutdown). */
  close?(): Promise<void>;
}
