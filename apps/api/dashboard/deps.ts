import type { AuditLog } from '../../../shared/ports/audit-log.ts';
import type { CycleLedger } from '../../../shared/ports/cycle-ledger.ts';
import type { FleetIndex } from '../../../shared/ports/fleet-index.ts';
import type { QueueAdmin } from '../../../shared/ports/queue-admin.ts';
import type { BudgetState } from '../../../shared/ports/request-budget.ts';

/** What the dashboard and the JSON API read (and the one thing they change: failed jobs). */
export interface DashboardDeps {
  index: Pick<FleetIndex, 'keys' | 'getMany'>;
  ledger: Pick<CycleLedger, 'results'>;
  audit: AuditLog;
  queues: QueueAdmin;
  budgets(): Promise<BudgetState[]>;
  controlPlanes: readonly string[];
}
