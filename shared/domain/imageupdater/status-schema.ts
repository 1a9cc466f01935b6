/** The ImageUpdater status (reference §2.4), read leniently from a CR so the next status can be computed. */
import { z } from 'zod';

export const ConditionSchema = z.object({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.number().int().optional(),
  lastTransitionTime: z.string(),
  reason: z.string(),
  message: z.string(),
});

export const RecentUpdateSchema = z.object({
  alias: z.string(),
  image: z.string(),
  newVersion: z.string(),
  applicationsUpdated: z.number().int(),
  updatedAt: z.string(),
  message: z.string(),
});

export const StatusSchema = z.object({
  observedGeneration: z.number().int().optional(),
  lastCheckedAt: z.string().optional(),
  lastUpdatedAt: z.string().optional(),
  applicationsMatched: z.number().int().optional(),
  imagesManaged: z.number().int().optional(),
  recentUpdates: z.array(RecentUpdateSchema).optional(),
  conditions: z.array(ConditionSchema).optional(),
});

/** metav1.Condition. */
export type Condition = z.output<typeof ConditionSchema>;
export type RecentUpdate = z.output<typeof RecentUpdateSchema>;
export type ImageUpdaterStatus = z.output<typeof StatusSchema>;
