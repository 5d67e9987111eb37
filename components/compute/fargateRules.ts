import { ArgRule } from "../argRules";

const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

/** Memory sizes (MiB) Fargate offers for each CPU size (units of 1/1024 vCPU). */
export const FARGATE_MEMORY: Readonly<Record<number, readonly number[]>> = {
    256: [512, 1024, 2048],
    512: range(1024, 4096, 1024),
    1024: range(2048, 8192, 1024),
    2048: range(4096, 16384, 1024),
    4096: range(8192, 30720, 1024),
};

/** DynamoDB actions by name, no wildcard: a task role never gets `dynamodb:*` or `dynamodb:Get*`. */
const DYNAMODB_ACTION = /^dynamodb:[A-Z][A-Za-z]+$/;

/** The rules of a Fargate service's size, scale and table access, written once for FargateService and the stack config. */
export const fargateRules = {
    cpu: (cpu: number): ArgRule =>
        FARGATE_MEMORY[cpu] === undefined ? `be one of ${Object.keys(FARGATE_MEMORY).join(", ")} (Fargate CPU units)` : undefined,
    memoryForCpu: (cpu: number, memory: number): ArgRule => {
        const sizes = FARGATE_MEMORY[cpu];
        if (sizes === undefined || sizes.includes(memory)) {
            return undefined;
        }
        const shown = sizes.length <= 4 ? sizes.join(", ") : `${sizes[0]} to ${sizes[sizes.length - 1]} in steps of ${sizes[1] - sizes[0]}`;
        return `be a size Fargate offers with ${cpu} CPU units: ${shown} MiB`;
    },
    maxAtLeastDesired: (max: number, desired: number, desiredName: string): ArgRule =>
        max < desired ? `be at least ${desiredName} (${desired})` : undefined,
    tableActions: (actions: readonly string[]): ArgRule => {
        const bad = actions.find(a => !DYNAMODB_ACTION.test(a));
        if (actions.length === 0) {
            return "name at least one DynamoDB action";
        }
        return bad === undefined ? undefined : `name DynamoDB actions one by one, like "dynamodb:GetItem", without wildcards; "${bad}" is not one`;
    },
};
