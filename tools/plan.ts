/**
 * `npm run plan [-- --stack <name>] [--config key=value …] [--assume key=value …] [--json] [--program <module>]
 * [--out <dir>]`: runs the real program (or `--program`, one of the user's own) under Pulumi's mock runtime with
 * the stack's config and prints what `pulumi preview` would create: every resource with its type, name and parent,
 * a count by type, and the stack outputs. Nothing reaches AWS.
 *
 * It then proves inspection (the route simulator follows every vpcLink⇄service flow through the planned route
 * tables), runs the posture checks, estimates the monthly cost (prices from tools/plan/prices.json), draws the
 * architecture as a Mermaid flowchart, and writes everything to
 * `plan/<stack>/PLAN.md` and `plan/<stack>/plan.json` (`--json` prints the JSON instead of the text).
 *
 * Exit codes: 0 planned, every flow inspected and every posture check passed; 1 the program failed; 2 invalid
 * config or arguments (nothing printed but the reason, nothing written); 3 planned but the inspection proof or a
 * posture check failed.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigValue, PROJECT_DIR, ProgramRun, Registration, resolveStackConfig, runProgram, STACK_PROGRAM } from "./mock";
import { committedPlan, diffPlans, PlannedResource, redactSecrets, renderDiff } from "./plan/diff";
import { planJsonText, writePlan } from "./plan/files";
import { renderReview } from "./plan/review";
import { crossStackChecks, quotaChecks, renderChecks, renderSharedCost, roleOf, runStacks } from "./plan/stacks";
import { CostEstimate, estimateCost, renderCost } from "./plan/cost";
import { renderDiagram } from "./plan/diagram";
import { table } from "./plan/text";
import { checkPosture, PostureCheck } from "./plan/posture";
import { Assumptions, assumptions, PRICES_FILE, priceTable } from "./plan/pricing";
import { describeFlow, Flow, networkModel, RejectedRoute, simulateFlows } from "./routes";

interface PlanArgs {
    /** The first stack given, or dev. */
    readonly stack: string;
    /** Every stack given: more than one plans them together (a shared inspection stack and its workloads). */
    readonly stacks: readonly string[];
    readonly config: Record<string, ConfigValue>;
    readonly json: boolean;
    /** Usage the cost estimate assumes, over the defaults. */
    readonly assumptions: Assumptions;
    /** `--diff [<ref>]`: compare with the plan.json committed at this git ref. */
    readonly diff?: string;
    /** Whether any `--assume` was given. */
    readonly assumed: boolean;
    /** A program of the user's own built from the components, instead of stack.ts. */
    readonly program?: string;
    /** Where PLAN.md and plan.json go instead of plan/<stack>. */
    readonly out?: string;
}

/** A path as printed: relative to the project when inside it, absolute otherwise. */
function shown(p: string): string {
    const relative = path.relative(PROJECT_DIR, p);
    return relative.startsWith("..") ? p : relative;
}

/** A path as the caller meant it: `npm run` starts scripts in the project root, and INIT_CWD is where it was run. */
function fromCaller(p: string): string {
    return path.resolve(process.env.INIT_CWD ?? process.cwd(), p);
}

const USAGE = "usage: npm run plan [-- --stack <name> [--stack <name> …]] [--config key=value …] [--assume key=value …] [--json] [--program <module>] [--out <dir>]";

class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): PlanArgs {
    const stacks: string[] = [];
    let diff: string | undefined;
    let json = false;
    let program: string | undefined;
    let out: string | undefined;
    const config: Record<string, ConfigValue> = {};
    const assumed: Record<string, string> = {};
    const pair = (arg: string, text: string): [string, string] => {
        const eq = text.indexOf("=");
        if (eq <= 0) {
            throw new UsageError(`${arg} takes key=value, got "${text}"`);
        }
        return [text.slice(0, eq), text.slice(eq + 1)];
    };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            const next = argv[++i];
            if (next === undefined) {
                throw new UsageError(`${arg} needs a value`);
            }
            return next;
        };
        if (arg === "--stack" || arg === "-s") {
            stacks.push(value());
        } else if (arg === "--config" || arg === "-c") {
            const [key, text] = pair(arg, value());
            config[key] = text;
        } else if (arg === "--assume") {
            const [key, text] = pair(arg, value());
            assumed[key] = text;
        } else if (arg === "--json") {
            json = true;
        } else if (arg === "--diff") {
            // An optional git ref: the next argument, unless it is another option.
            diff = argv[i + 1] !== undefined && !argv[i + 1].startsWith("-") ? argv[++i] : "HEAD";
        } else if (arg === "--program") {
            program = fromCaller(value());
            if (!fs.existsSync(program)) {
                throw new UsageError(`--program: no such file ${program}`);
            }
        } else if (arg === "--out") {
            out = fromCaller(value());
            if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) {
                throw new UsageError(`--out: ${out} exists and is not a directory`);
            }
        } else {
            throw new UsageError(`unknown argument "${arg}"; ${USAGE}`);
        }
    }
    if (stacks.length > 1 && (program !== undefined || out !== undefined)) {
        throw new UsageError("--program and --out plan one stack; several stacks are written to plan/<stack> each");
    }
    try {
        return {
            stack: stacks[0] ?? "dev", stacks: stacks.length > 0 ? stacks : ["dev"], config, json, program, out, diff,
            assumptions: assumptions(assumed), assumed: Object.keys(assumed).length > 0,
        };
    } catch (err) {
        throw new UsageError(`--assume: ${(err as Error).message}`);
    }
}

/** One collator for every comparison: `localeCompare` with options builds a new one per call. */
const NATURAL = new Intl.Collator("en", { numeric: true });

function byName(rs: Registration[]): Registration[] {
    return [...rs].sort((a, b) => NATURAL.compare(a.name, b.name));
}

/** The inventory as text: resources in tree order (each parent before its children), counts, outputs. */
export function renderInventory(run: ProgramRun): string {
    const { resources } = run;
    const ordered: [Registration, number][] = [];
    const visit = (r: Registration, depth: number) => {
        ordered.push([r, depth]);
        byName(resources.children(r)).forEach(child => visit(child, depth + 1));
    };
    // Registration order depends on when inputs resolve; names give a listing that diffs cleanly between runs.
    byName(resources.all.filter(r => !resources.parentOf(r))).forEach(r => visit(r, 0));

    const rows = [["TYPE", "NAME", "PARENT"]].concat(ordered.map(([r, depth]) => [
        `${"  ".repeat(depth)}${r.type}`,
        r.name,
        resources.parentOf(r)?.name ?? "(stack)",
    ]));
    const counts = resources.countByType().map(([type, n]) => `  ${String(n).padStart(4)}  ${type}`);
    return [
        `inspected-api · stack ${run.source.stack} · ${run.region} · ${resources.size} resources (mock run: nothing deployed)`,
        "",
        table(rows),
        "",
        "Resources by type:",
        ...counts,
        "",
        "Stack outputs:",
        JSON.stringify(run.outputs, null, 2),
    ].join("\n");
}

/** The tier pairs whose traffic must be inspected: requests from the VPC link to the tasks, and their responses. */
const INSPECTED_TIERS = [["vpcLink", "service"]] as const;

export interface InspectionProof {
    readonly text: string;
    readonly ok: boolean;
    /** Every simulated flow of every inspected tier pair. */
    readonly flows: readonly Flow[];
    readonly rejected: readonly RejectedRoute[];
}

/** The AZ of the first endpoint a flow's request passes: the subnet the packet is in after it. */
function entryZone(flow: Flow): string | undefined {
    return flow.request.hops.find(h => h.after)?.at.availabilityZoneId;
}

/**
 * The route simulation of every inspected tier pair, summarised, with each failure spelled out hop by hop. `partial`:
 * the program is not the whole system (inspection added to a VPC created elsewhere, say), so subnets and route tables
 * it does not have are reported as outside it, not simulated, instead of failing the plan.
 */
export function proveInspection(run: ProgramRun, partial = false): InspectionProof {
    const model = networkModel(run.resources);
    const lines: string[] = [];
    const flows: Flow[] = [];
    let rejected: readonly RejectedRoute[] = [];
    let ok = true;
    for (const [source, destination] of INSPECTED_TIERS) {
        const sim = simulateFlows(model, source, destination);
        flows.push(...sim.flows);
        rejected = sim.rejectedRoutes;
        if (sim.flows.length === 0 && partial) {
            lines.push(`n/a  no ${source}⇄${destination} flows: this program has no subnets tagged tier=${source} and tier=${destination}; ` +
                "a network outside it is not simulated");
            continue;
        }
        const failed = sim.flows.filter(f => f.verdict !== "inspected");
        const passed = sim.flows.length > 0 && failed.length === 0;
        ok &&= passed;
        lines.push(`${passed ? "ok  " : "FAIL"} ${sim.flows.length - failed.length}/${sim.flows.length} ${source}⇄${destination} flows inspected, symmetric`);
        failed.forEach(f => lines.push(describeFlow(f).replace(/^/gm, "       ")));
        if (sim.flows.length === 0) {
            lines.push(`       no ${source}⇄${destination} flows: the plan has no subnets tagged tier=${source} and tier=${destination}`);
        }
        // An endpoint in another AZ still inspects, but every request then crosses AZs twice more, and an outage of
        // that AZ takes this one's traffic with it.
        const inspected = sim.flows.filter(f => f.verdict === "inspected");
        const elsewhere = inspected.filter(f => entryZone(f) !== f.source.availabilityZoneId);
        ok &&= elsewhere.length === 0;
        lines.push(`${elsewhere.length === 0 ? "ok  " : "FAIL"} ${inspected.length - elsewhere.length}/${inspected.length} ` +
            `inspected flows enter through the endpoint in their ${source} subnet's AZ`);
        elsewhere.forEach(f => lines.push(`       ${f.source.name} (${f.source.availabilityZoneId}) → ${f.destination.name}: ` +
            `enters through ${f.request.endpoints[0].name} in ${entryZone(f)}`));
    }
    const outside = partial ? rejected.filter(r => r.outsideModel) : [];
    rejected = rejected.filter(r => !outside.includes(r));
    lines.push(`${rejected.length === 0 ? "ok  " : "FAIL"} ${rejected.length} routes AWS would reject`);
    rejected.forEach(r => lines.push(`       ${r.route.name}: ${r.reason}`));
    if (outside.length > 0) {
        const tables = new Set(outside.map(r => r.route.routeTableId));
        lines.push(`n/a  ${outside.length} routes into ${tables.size} route tables outside this program: not simulated`);
    }
    return { text: ["Inspection (route simulation):", ...lines].join("\n"), ok: ok && rejected.length === 0, flows, rejected };
}

/** Everything a plan finds in a run: the text `npm run plan` prints, the JSON it writes, the diagram, the verdict. */
export interface PlanReport {
    readonly text: string;
    readonly json: ReturnType<typeof planJson>;
    readonly diagram: string;
    readonly cost: CostEstimate;
    /** Inspection proven and every posture check passed; cost never fails a plan. */
    readonly ok: boolean;
    /** PLAN.md's section for a reviewer: effective config, flows, security groups, IAM, what survives a destroy. */
    readonly review: string;
}

/** The whole analysis of a run: inventory, inspection proof, posture, cost and diagram. */
export function analysePlan(run: ProgramRun, assumed: Assumptions = assumptions(), partial = false): PlanReport {
    const proof = proveInspection(run, partial);
    const posture = checkPosture(run.resources, partial);
    const cost = estimateCost(run.resources, run.region, priceTable(), assumed);
    const diagram = renderDiagram(run.resources);
    const ok = proof.ok && posture.every(c => c.offenders.length === 0);
    const text = [renderInventory(run), "", proof.text, "", renderPosture(posture), "", renderCost(cost, path.relative(PROJECT_DIR, PRICES_FILE))].join("\n");
    return { text, json: planJson(run, proof, posture, cost, diagram, ok), diagram, cost, ok, review: renderReview(run, proof.flows) };
}

export async function main(argv: readonly string[]): Promise<number> {
    let args: PlanArgs;
    if (argv.includes("--help") || argv.includes("-h")) {
        console.log(`${USAGE}\n\nPlans the stack (or a program of your own) under Pulumi's mock runtime: inventory, inspection proof, posture, cost.\n` +
            "Exit 0: planned and proven; 1: the program failed; 2: bad arguments or config; 3: a check failed. See README, \"On a fresh machine\".");
        return 0;
    }
    try {
        args = parseArgs(argv);
    } catch (err) {
        if (err instanceof UsageError) {
            console.error(err.message);
            return 2;
        }
        throw err;
    }
    if (args.stacks.length > 1) {
        return planStacks(args);
    }
    let run: ProgramRun;
    try {
        run = await runProgram({ stack: args.stack, config: args.config, program: args.program });
    } catch (err) {
        // The stack file is missing or unreadable: a config problem, not a program failure.
        console.error((err as Error).message);
        return 2;
    }
    if (run.error) {
        console.error(run.error.message);
        // Matched by name: the program's modules are loaded afresh for each run, so class identity differs.
        return run.error.name === "InvalidConfigError" ? 2 : 1;
    }
    if (run.resources.size === 0) {
        console.error(`${shown(args.program ?? STACK_PROGRAM)} registered no resources: a module must register them when loaded, or ` +
            "be a function (module.exports = () => …, or export = …); a function exported by name is not run");
        return 1;
    }
    // A program of one's own may be part of a system (inspection for a VPC created elsewhere), and so is a stack with
    // one role of a shared inspection: what it lacks is reported as not applicable rather than failed.
    const { text, json: report, diagram, ok, review } = analysePlan(run, args.assumptions, args.program !== undefined || isPartOfSystem(run));
    const dir = args.out ?? planDir(args, run.source.stack);
    try {
        writePlan(dir, run.source.stack, shown(args.program ?? STACK_PROGRAM), text, report, diagram, review);
    } catch (err) {
        console.error(`--out: cannot write the plan to ${shown(dir)}: ${(err as Error).message}`);
        return 2;
    }
    let changes = "";
    if (args.diff !== undefined) {
        const committed = committedPlan(run.source.stack, args.diff);
        if (committed === undefined) {
            console.error(`--diff: no plan/${run.source.stack}/plan.json committed at ${args.diff}`);
            return 2;
        }
        changes = `\n\n${renderDiff(diffPlans(committed.resources.all, report.resources.all as PlannedResource[]), `plan/${run.source.stack}/plan.json at ${args.diff}`)}`;
    }
    console.log(args.json ? planJsonText(report) : `${text}${changes}\n\nWrote ${shown(dir)}/PLAN.md and plan.json`);
    return ok ? 0 : 3;
}

/**
 * Where a stack's plan goes by default: plan/<stack> for the stack as committed; plan/<stack>-<program> for a program
 * of one's own and plan/<stack>-custom for other config or assumptions, so no such run overwrites a committed plan.
 */
function planDir(args: PlanArgs, stack: string): string {
    const custom = Object.keys(args.config).length > 0 || args.assumed;
    return path.join(PROJECT_DIR, "plan", args.program
        ? `${stack}-${path.basename(args.program).replace(/\.[^.]*$/, "")}`
        : custom ? `${stack}-custom` : stack);
}

/** A stack of a shared inspection (`stackRole` inspection or workload) builds only its part of the system. */
function isPartOfSystem(run: ProgramRun): boolean {
    return roleOf(run) !== "all";
}


/** Stacks planned together: each as its own plan, then the checks across them and the cost of sharing. */
async function planStacks(args: PlanArgs): Promise<number> {
    let runs: ProgramRun[];
    try {
        runs = await runStacks(args.stacks, () => args.config, stack => resolveStackConfig(stack).config["inspected-api:inspectionStack"]);
    } catch (err) {
        console.error((err as Error).message);
        return 2;
    }
    const failed = runs.find(r => r.error);
    if (failed) {
        console.error(`stack ${failed.source.stack}: ${failed.error!.message}`);
        return failed.error!.name === "InvalidConfigError" ? 2 : 1;
    }
    const cross = crossStackChecks(runs);
    const quotas = runs.flatMap(quotaChecks);
    const crossText = [renderChecks("Across stacks:", cross), "", renderChecks("Quotas (sources in tools/plan/stacks.ts):", quotas)].join("\n");
    const summaries: string[] = [];
    let ok = [...cross, ...quotas].every(c => c.problems.length === 0);
    const costs: { stack: string; role: string; total: number }[] = [];
    for (const run of runs) {
        const plan = analysePlan(run, args.assumptions, isPartOfSystem(run));
        ok &&= plan.ok;
        const stack = run.source.stack;
        writePlan(planDir(args, stack), stack, shown(STACK_PROGRAM), `${plan.text}\n\n${crossText}`, plan.json, plan.diagram, plan.review);
        summaries.push(`${plan.ok ? "ok  " : "FAIL"} ${stack} (${roleOf(run)}): ` +
            `${run.resources.size} resources, plan/${stack}/PLAN.md`);
        costs.push({ stack, role: roleOf(run), total: plan.cost.total });
    }
    console.log([`Stacks planned together: ${runs.map(r => r.source.stack).join(", ")}`, ...summaries, "", crossText, "", renderSharedCost(costs)].join("\n"));
    return ok ? 0 : 3;
}


/** The posture checks as text: one line per check, each offender under it. */
export function renderPosture(checks: readonly PostureCheck[]): string {
    return ["Posture:", ...checks.flatMap(c => [
        `${c.offenders.length > 0 ? "FAIL" : c.checked === 0 ? "n/a " : "ok  "} ${c.name}: ${c.description} (${c.checked} checked)`,
        ...c.offenders.map(o => `       ${o}`),
    ])].join("\n");
}

/** Everything machine-readable: what `--json` prints and plan.json holds. */
function planJson(run: ProgramRun, proof: InspectionProof, posture: readonly PostureCheck[], cost: CostEstimate, diagram: string, ok: boolean) {
    return {
        stack: run.source.stack,
        region: run.region,
        ok,
        resources: {
            count: run.resources.size,
            byType: Object.fromEntries(run.resources.countByType()),
            // Every input, secrets redacted: what `--diff` compares and a reviewer reads.
            all: run.resources.all.map(r => ({ type: r.type, name: r.name, parent: run.resources.parentOf(r)?.name ?? null, inputs: redactSecrets(r.inputs) })),
        },
        outputs: run.outputs,
        inspection: {
            ok: proof.ok,
            flows: proof.flows.map(f => ({
                source: f.source.name, destination: f.destination.name, verdict: f.verdict, reason: f.reason ?? null,
                requestEndpoints: f.request.endpoints.map(e => e.name), responseEndpoints: f.response.endpoints.map(e => e.name),
            })),
            rejectedRoutes: proof.rejected.map(r => ({ route: r.route.name, reason: r.reason })),
        },
        posture,
        cost,
        diagram,
    };
}

if (require.main === module) {
    main(process.argv.slice(2)).then(code => process.exit(code), err => {
        console.error(err);
        process.exit(1);
    });
}
