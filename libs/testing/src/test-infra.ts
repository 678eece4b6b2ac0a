/**
 * The test instance of the real servers (own run dir and ports, libs/testing/test-infra.json), so
 * the suite can run while the demo platform is up. One implementation, shared with the Jest global
 * setup, which Jest loads as plain ESM outside its transform.
 */
export { testInfraEnv, workspaceRoot } from './jest/infra-env.mjs';
