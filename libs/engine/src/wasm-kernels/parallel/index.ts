export { DataParallel, defaultWorkers, type DataParallelOptions } from './data-parallel';
export { DataParallelError } from './errors';
export type { ParallelGradients, Replica, ReplicaFactory, ReplicaSpec, ReplicaSums, ShardLoss, ShardResult } from './types';
export { Collective, COLLECTIVE_MAX_VALUES } from './collective';
