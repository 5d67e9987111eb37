/**
 * `npm run bench:plan`, in one run:
 *  (a) the dev stack's plan (mock run, inspection proof, posture checks, diagram, rendering) against the mock floor: a
 *      run that loads the same program modules and registers as many plain resources under the same mocks. The
 *      ratio is what the program and the plan add over Pulumi's own mock runtime (goal ≤ 1.2×).
 *  (b) the plan of 2 AZs × 2 services against 6 AZs × 20 services, both built through the program's public function
 *      (goal ≤ 3×), beside the mock floor at the same two resource counts: how Pulumi's runtime alone scales.
 * Each figure is the median of several runs after one warm-up: REPEAT (default 9) for (a), half as many, at least 3,
 * for the larger (b).
 */
import * as path from "path";
import * as aws from "@pulumi/aws";
import type * as ProgramModule from "../../program";
import type * as ConfigModule from "../../components/config";
import type * as ZonesModule from "../../components/config/availabilityZones";
import type { ServiceSpec } from "../../components/api/catalog";
import { ConfigValue, PROJECT_DIR, ProgramRun, requireFresh, runProgram } from "../mock";
import { analysePlan } from "../plan";

const PROGRAM = path.join(PROJECT_DIR, "program.ts");
const REPEAT = Number(process.env.BENCH_REPEAT ?? 9);

/** Everything `npm run plan` does with a run but writing files and printing. */
function analyse(run: ProgramRun): void {
    if (run.error) {
        throw run.error;
    }
    analysePlan(run);
}

async function median(times: number, work: () => Promise<unknown>): Promise<number> {
    await work();
    const samples: number[] = [];
    for (let i = 0; i < times; i++) {
        const started = process.hrtime.bigint();
        await work();
        samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

/** The program at a given size through its public function: config from the stack plus overrides, `n` services. */
function sized(serviceCount: number): () => Promise<unknown> {
    return async () => {
        const { inspectedApi } = requireFresh(PROGRAM) as typeof ProgramModule;
        // Loaded afresh with the program above; the same instances it uses.
        const { loadConfig } = require(path.join(PROJECT_DIR, "components", "config")) as typeof ConfigModule; // eslint-disable-line @typescript-eslint/no-require-imports
        const { lookupAvailabilityZones } = require(path.join(PROJECT_DIR, "components", "config", "availabilityZones")) as typeof ZonesModule; // eslint-disable-line @typescript-eslint/no-require-imports
        const config = loadConfig();
        const services: ServiceSpec[] = Array.from({ length: serviceCount }, (_, i) => ({ name: `svc${i}`, collection: "items", idParam: "itemId" }));
        return inspectedApi(config, await lookupAvailabilityZones(config.availabilityZoneCount), { services, identityHeader: "x-authenticated-sub" });
    };
}

/** The mock floor: the program's modules loaded, then `count` plain resources registered under the same mocks. */
function mockFloor(count: number): () => Promise<unknown> {
    return async () => {
        const run = await runProgram({
            stack: "dev",
            program: () => {
                requireFresh(PROGRAM);
                for (let i = 0; i < count; i++) {
                    new aws.ec2.Vpc(`floor-${i}`, { cidrBlock: "10.0.0.0/16" });
                }
            },
        });
        if (run.error || run.resources.size !== count) {
            throw run.error ?? new Error(`the floor registered ${run.resources.size} resources, not ${count}`);
        }
    };
}

async function main(): Promise<void> {
    let resources = 0;
    const plan = await median(REPEAT, async () => {
        const run = await runProgram({ stack: "dev" });
        analyse(run);
        resources = run.resources.size;
    });
    const floor = await median(REPEAT, mockFloor(resources));
    const sizes: [string, Record<string, ConfigValue>, number][] = [["2 AZs × 2 services", { availabilityZoneCount: 2 }, 2], ["6 AZs × 20 services", { availabilityZoneCount: 6 }, 20]];
    const scaled: { label: string; ms: number; resources: number; floor: number }[] = [];
    const scaledRepeat = Math.max(3, Math.floor(REPEAT / 2));
    for (const [label, config, services] of sizes) {
        let count = 0;
        const ms = await median(scaledRepeat, async () => {
            const run = await runProgram({ stack: "dev", config, program: sized(services) });
            analyse(run);
            count = run.resources.size;
        });
        scaled.push({ label, ms, resources: count, floor: await median(scaledRepeat, mockFloor(count)) });
    }

    console.log(`bench:plan · medians after a warm-up of ${REPEAT} runs for (a), ${scaledRepeat} for (b) · Node ${process.version}`);
    console.log(`(a) dev plan                 ${plan.toFixed(0).padStart(6)} ms   ${resources} resources`);
    console.log(`    mock floor               ${floor.toFixed(0).padStart(6)} ms   ${resources} plain resources, same modules and mocks`);
    console.log(`    ratio plan/floor         ${(plan / floor).toFixed(2)}×   (goal ≤ 1.2×)`);
    for (const s of scaled) {
        console.log(`(b) ${s.label.padEnd(24)} ${s.ms.toFixed(0).padStart(6)} ms   ${s.resources} resources, ${(s.ms / s.resources).toFixed(2)} ms each` +
            `; mock floor at that count ${s.floor.toFixed(0)} ms`);
    }
    const [small, large] = scaled;
    console.log(`    ratio large/small        ${(large.ms / small.ms).toFixed(2)}×   (goal ≤ 3×) for ${(large.resources / small.resources).toFixed(2)}× the resources`);
    console.log(`    mock floor large/small   ${(large.floor / small.floor).toFixed(2)}×   (Pulumi's mock runtime alone, same resource counts)`);
}

main().catch(err => {
    console.error(err);
    process.exit(1);
});
