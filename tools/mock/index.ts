/**
 * The mock runtime core: stack config loading, mocks, and the registry of registrations. `npm run plan` runs the
 * program with it and the test kit (tests/kit) wraps it; neither keeps a copy.
 */
export { availabilityZones, MOCK_ACCOUNT_ID, mockParameterValue } from "./mocks";
export { Registration, ResourceRegistry } from "./registry";
export { ProgramRun, requireFresh, runProgram, RunOptions } from "./run";
export { ConfigValue, PROJECT_DIR, resolveStackConfig, STACK_PROGRAM, StackConfigSource } from "./stackConfig";
export { T } from "./types";
