/**
 * `tags` reach every resource that can carry tags. Which resources can is read from the AWS provider's own type
 * declarations (a resource's `…Args` has `tags?`), so a taggable child added later without tags fails here.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Registration, runProgram } from "../../tools/mock";

const EXAMPLE = path.join(__dirname, "..", "..", "examples", "whole-system", "index.ts");
const OWN_TAGS = { owner: "platform", costCenter: "cc-1234" };
const AWS_DIR = path.dirname(require.resolve("@pulumi/aws/package.json"));

/** Whether `aws:<module>/<file>:<Type>`'s args declare `tags`, per @pulumi/aws's .d.ts. */
const taggable = new Map<string, boolean>();
function canCarryTags(type: string): boolean {
    if (!taggable.has(type)) {
        const m = /^aws:([\w]+)\/(\w+):(\w+)$/.exec(type);
        assert.ok(m, `an AWS type token: ${type}`);
        const [, mod, file, name] = m;
        const dts = fs.readFileSync(path.join(AWS_DIR, mod, `${file}.d.ts`), "utf8");
        const start = dts.indexOf(`export interface ${name}Args {`);
        assert.ok(start >= 0, `${type}: ${name}Args declared`);
        const body = dts.slice(start, dts.indexOf("\n}", start));
        taggable.set(type, /\n\s+tags\?: /.test(body));
    }
    return taggable.get(type)!;
}

function tagsOf(r: Registration): Record<string, string> {
    const tags = r.inputs.tags;
    // An Auto Scaling group takes a list of { key, value, propagateAtLaunch }.
    return Array.isArray(tags) ? Object.fromEntries(tags.map((t: { key: string; value: string; propagateAtLaunch: boolean }) => [t.key, t.propagateAtLaunch ? t.value : "(not propagated)"])) : tags ?? {};
}

describe("tags on every child (examples/whole-system, every component given tags)", function () {
    this.timeout(120_000);

    it("reach every resource whose AWS type can carry tags, under the resource's own Name", async () => {
        const run = await runProgram({ program: EXAMPLE });
        assert.strictEqual(run.error, undefined, run.error?.message);
        const custom = run.resources.all.filter(r => r.custom && r.type.startsWith("aws:"));
        const tagged = custom.filter(r => canCarryTags(r.type));
        const missing = tagged.filter(r => Object.entries(OWN_TAGS).some(([k, v]) => tagsOf(r)[k] !== v)).map(r => `${r.type} ${r.name}`);
        assert.deepStrictEqual(missing, []);
        assert.ok(tagged.length >= 100, `a whole system has many taggable resources, got ${tagged.length}`);
        const withoutName = tagged.filter(r => tagsOf(r).Name === undefined && r.type !== "aws:dynamodb/table:Table").map(r => `${r.type} ${r.name}`);
        assert.deepStrictEqual(withoutName, [], "every taggable child names itself");
        const subnet = run.resources.get("aws:ec2/subnet:Subnet", "workload-service-0");
        assert.strictEqual(subnet.inputs.tags.Name, "workload-service-0", "a child's own Name wins");
        // What a launch template launches carries them too: instances, volumes, network interfaces.
        const template = run.resources.get("aws:ec2/launchTemplate:LaunchTemplate", "inspection-appliances-lt");
        for (const spec of template.inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[]) {
            assert.deepStrictEqual(spec.tags, { ...OWN_TAGS, Name: "inspection-appliances" }, spec.resourceType);
        }
    });

    it("leaves every resource's tags as its own when no tags are given", async () => {
        const run = await runProgram({});
        assert.strictEqual(run.error, undefined, run.error?.message);
        assert.deepStrictEqual(run.resources.get("aws:ec2/subnet:Subnet", "workload-service-0").inputs.tags, { Name: "workload-service-0", tier: "service" });
        const route = run.resources.ofType("aws:ec2/route:Route")[0];
        assert.ok(!("tags" in route.inputs), "a resource that carries no tags gets none");
        const template = run.resources.get("aws:ec2/launchTemplate:LaunchTemplate", "inspection-appliances-lt");
        assert.deepStrictEqual(template.inputs.tagSpecifications.map((s: { tags: unknown }) => s.tags), Array(3).fill({ Name: "inspection-appliances" }));
        const ownKeys = new Set(run.resources.all.filter(r => r.custom).flatMap(r => Object.keys(tagsOf(r))));
        assert.deepStrictEqual([...ownKeys].sort(), ["Name", "service", "tier"]);
    });
});
