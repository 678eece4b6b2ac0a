// One Jest run, three projects: `unit` (pure logic, *.spec.ts beside the code), `integration`
// (*.int.spec.ts against the real NATS and Cassandra that the global setup starts once) and `e2e`
// (services as child processes). `nx run <project>:test` selects `unit` for one project.
import { preset } from './jest.preset.js';

const realServers = {
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.mjs',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.mjs',
};

export default {
  rootDir: '.',
  projects: [
    {
      ...preset,
      rootDir: '.',
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services,tools,bench}/**/src/**/*.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.spec\\.ts$'],
    },
    {
      ...preset,
      ...realServers,
      rootDir: '.',
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services,tools}/**/src/**/*.int.spec.ts'],
    },
    {
      ...preset,
      ...realServers,
      rootDir: '.',
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
    },
  ],
};
