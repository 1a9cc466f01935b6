/** An OS/architecture pair (with optional variant) as image indexes and configs name them. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}
