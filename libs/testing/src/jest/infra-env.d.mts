import { type SpawnSyncReturns } from 'node:child_process';

export declare const workspaceRoot: string;
export declare function testInfraEnv(): Record<string, string>;
export declare function runInfra(args: string[], stdio?: 'pipe' | 'inherit'): SpawnSyncReturns<string>;
