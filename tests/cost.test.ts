import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CostEstimate, CostLine, estimateCost, renderCost } from "../tools/plan/cost";
import { assumptions, ITEM_UNITS, loadPriceTable, Price, PRICES_FILE } from "../tools/plan/pricing";
import { deploy } from "./kit";
import { plan } from "./kit/planCli";

const prices = loadPriceTable();
const HOURS = prices.hoursPerMonth;

async function estimate(config: Record<string, string | number> = {}, stack = "dev", overrides = {}): Promise<CostEstimate> {
    const run = await deploy({ stack, config });
    return estimateCost(run.resources, run.region, prices, assumptions(overrides));
}

function lineOf(cost: CostEstimate, kind: string | RegExp): CostLine {
    const found = [...cost.fixed, ...cost.usage].filter(l => (typeof kind === "string" ? l.kind === kind : kind.test(l.kind)));
    assert.strictEqual(found.length, 1, `one line ${kind}: ${cost.fixed.concat(cost.usage).map(l => l.kind).join(", ")}`);
    return found[0];
}

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);
const sum = (lines: readonly CostLine[]) => lines.reduce((total, l) => total + (l.monthly ?? 0), 0);

describe("price table", () => {
    /** Units a source may quote per single request instead: the table's price is then that number times the scale. */
    const SCALES: Record<string, number[]> = { "million requests": [1, 1e6], "million request units": [1, 1e6], "10,000 requests": [1, 1e4] };
    /** Text naming the other region: a usage-type prefix or a location. */
    const FOREIGN: Record<string, RegExp> = { "us-east-1": /["`]EU-|EU \(Ireland\)/, "eu-west-1": /USE1-|US East|us-east-1-/ };

    /** Why a price's quote does not back it, or undefined when it does. */
    function unbacked(p: Price): string | undefined {
        // Where the quote is a row of region columns, only this region's column (or "*", every region) counts.
        const columns = [...p.quote.matchAll(/([a-z]{2}-[a-z]+-\d|"\*") = (\d+(?:\.\d+)?)/g)];
        const numbers = (columns.length > 0
            ? columns.filter(([, region]) => region === p.region || region === '"*"').map(([, , n]) => n)
            : p.quote.match(/(?<![\w.-])\d+(?:\.\d+)?(?![\w-])/g) ?? []).map(Number);
        if (!numbers.some(n => (SCALES[p.per] ?? [1]).some(scale => Math.abs(n * scale - p.usd) <= 1e-9 * Math.max(1, p.usd)))) {
            return "the price is not in its quote";
        }
        return FOREIGN[p.region]?.test(p.quote) ? "the quote names another region" : undefined;
    }

    it("shows every price's number in its quote, in the entry's own region and unit", () => {
        for (const p of prices.prices) {
            assert.strictEqual(unbacked(p), undefined, `${p.region} ${p.item} (${p.usd}): "${p.quote}"`);
        }
    });

    it("catches a price moved to the wrong region or unit", () => {
        const entry = (region: string, item: string) => prices.prices.find(p => p.region === region && p.item === item)!;
        const tampered: Price[] = [
            { ...entry("eu-west-1", "ec2:t3.small"), usd: 0.0208 },
            { ...entry("eu-west-1", "nat-hour"), usd: 0.045 },
            { ...entry("us-east-1", "gwlbe-hour"), usd: 35 },
            { ...entry("eu-west-1", "logs-ingest"), region: "us-east-1" },
            { ...entry("us-east-1", "kms-requests"), region: "eu-west-1" },
        ];
        for (const p of tampered) {
            assert.notStrictEqual(unbacked(p), undefined, `${p.region} ${p.item} ${p.usd}`);
        }
    });

    it("prices every item in us-east-1, and every item in eu-west-1 but the GWLB and Network Firewall ones no source gave", () => {
        const gaps = (region: string) => Object.keys(ITEM_UNITS).filter(item => !prices.find(region, item));
        assert.deepStrictEqual(gaps("us-east-1"), []);
        assert.deepStrictEqual(gaps("eu-west-1"), ["gwlb-hour", "gwlb-glcu", "gwlbe-hour", "gwlbe-data", "network-firewall-endpoint", "network-firewall-data"]);
        for (const type of ["t3.small", "t3.medium"]) {
            assert.ok(prices.find("us-east-1", `ec2:${type}`) && prices.find("eu-west-1", `ec2:${type}`), type);
        }
    });

    it("refuses a bad entry, naming it and what is wrong", () => {
        const good = prices.find("us-east-1", "gwlb-hour")!;
        const cases: [object, RegExp][] = [
            [{ ...good, per: "day" }, /prices\[0\] \(us-east-1 gwlb-hour\): per must be "hour"/],
            [{ ...good, source: "" }, /prices\[0\] \(us-east-1 gwlb-hour\): source must be a non-empty string/],
            [{ ...good, usd: 0 }, /usd must be a positive number/],
            [{ ...good, item: "ec3:x" }, /unknown item/],
            [{ ...good, read: "last week" }, /read must be a date/],
        ];
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prices-"));
        for (const [entry, message] of cases) {
            const file = path.join(dir, "prices.json");
            fs.writeFileSync(file, JSON.stringify({ hoursPerMonth: 730, prices: [entry] }));
            assert.throws(() => loadPriceTable(file), message);
        }
        fs.writeFileSync(path.join(dir, "twice.json"), JSON.stringify({ hoursPerMonth: 730, prices: [good, good] }));
        assert.throws(() => loadPriceTable(path.join(dir, "twice.json")), /prices\[1\] .*a second price for the same region and item/);
        fs.rmSync(dir, { recursive: true });
    });
});

describe("cost estimate", () => {
    it("adds up: each total is the sum of its lines, and each fixed line is its count × hours × unit price", async () => {
        const cost = await estimate();
        assert.strictEqual(cost.complete, true, cost.missing.join(", "));
        close(cost.fixedTotal, sum(cost.fixed));
        close(cost.usageTotal, sum(cost.usage));
        close(cost.total, cost.fixedTotal + cost.usageTotal);
        close(lineOf(cost, "GWLB endpoints").monthly!, 2 * HOURS * 0.01);
        close(lineOf(cost, "Gateway Load Balancer").monthly!, HOURS * 0.0125);
        close(lineOf(cost, "Appliance instances (t3.small)").monthly!, 2 * HOURS * 0.0208);
        close(lineOf(cost, "Fargate tasks (petstore-service)").monthly!, HOURS * (0.25 * 0.04048 + 0.5 * 0.004445));
        close(lineOf(cost, "KMS keys").monthly!, 5);
        close(lineOf(cost, "HTTP API requests").monthly!, 1);
    });

    it("grows with the AZ count: one more GWLB endpoint, appliance, NAT gateway and firewall endpoint per AZ", async () => {
        const [two, three] = await Promise.all([estimate(), estimate({ availabilityZoneCount: 3 })]);
        close(lineOf(three, "GWLB endpoints").monthly! - lineOf(two, "GWLB endpoints").monthly!, HOURS * 0.01);
        close(lineOf(three, /^Appliance/).monthly! - lineOf(two, /^Appliance/).monthly!, HOURS * 0.0208);
        close(lineOf(three, "NAT gateways (security VPC)").monthly! - lineOf(two, "NAT gateways (security VPC)").monthly!, HOURS * 0.045);
        assert.ok(three.fixedTotal > two.fixedTotal);
        assert.strictEqual(two.networkFirewall!.endpoints, 2);
        assert.strictEqual(three.networkFirewall!.endpoints, 3);
        close(three.networkFirewall!.networkFirewall.monthly!, 3 * HOURS * 0.395);
    });

    it("changes with the appliance type by exactly the price difference", async () => {
        const [small, medium] = await Promise.all([estimate(), estimate({ applianceInstanceType: "t3.medium" })]);
        const delta = 2 * HOURS * (0.0416 - 0.0208);
        close(lineOf(medium, "Appliance instances (t3.medium)").monthly! - lineOf(small, "Appliance instances (t3.small)").monthly!, delta);
        close(medium.total - small.total, delta);
        close(medium.networkFirewall!.thisPlan.monthly! - small.networkFirewall!.thisPlan.monthly!, delta);
    });

    it("compares the inspection path with Network Firewall: the same lines on one side, endpoints on the other", async () => {
        const cost = await estimate();
        const path = cost.fixed.filter(l => l.inspection).map(l => l.kind);
        assert.deepStrictEqual(path, ["Gateway Load Balancer", "GWLB endpoints", "Appliance instances (t3.small)", "NAT gateways (security VPC)", "Public IPv4 addresses (security VPC)"]);
        close(cost.networkFirewall!.thisPlan.monthly!, sum(cost.fixed.filter(l => l.inspection)));
        close(cost.networkFirewall!.thisPlan.perGb!, 0.0035 + 0.004);
        close(cost.networkFirewall!.networkFirewall.perGb!, 0.065);
    });

    it("reports a price it does not have as missing and leaves it out of a total marked partial", async () => {
        const cost = await estimate({ applianceInstanceType: "m7i.large" });
        const appliances = lineOf(cost, "Appliance instances (m7i.large)");
        assert.strictEqual(appliances.monthly, null);
        assert.deepStrictEqual(cost.missing, ["ec2:m7i.large"]);
        assert.strictEqual(cost.complete, false);
        close(cost.fixedTotal, sum(cost.fixed));
        assert.strictEqual(cost.networkFirewall!.thisPlan.monthly, null);
        const text = renderCost(cost, "prices.json");
        assert.match(text, /^Total \(partial\) +\d+\.\d\d$/m);
        assert.match(text, /partial: no price in us-east-1 for ec2:m7i\.large; the totals leave those lines out/);
    });

    it("prices nothing in a region the table lacks, and says so for every item", async () => {
        const run = await deploy();
        const cost = estimateCost(run.resources, "ap-south-1", prices, assumptions());
        assert.strictEqual(cost.total, 0);
        assert.ok(cost.fixed.every(l => l.monthly === null));
        assert.ok(cost.missing.includes("gwlb-hour") && cost.missing.includes("kms-key"));
    });

    it("prices usage at the assumptions, which --assume overrides", async () => {
        const cost = await estimate({}, "dev", { apiRequestsPerMonth: 3_000_000, inspectedGbPerMonth: 1000 });
        close(lineOf(cost, "HTTP API requests").monthly!, 3);
        close(lineOf(cost, "GWLB endpoint data").monthly!, 3.5);
        assert.throws(() => assumptions({ requestsPerDay: 1 }), /unknown assumption "requestsPerDay"; assumptions are apiRequestsPerMonth, /);
        assert.throws(() => assumptions({ natGbPerMonth: "-1" }), /assumption natGbPerMonth = "-1": must be a non-negative number/);
        assert.throws(() => assumptions({ natGbPerMonth: "" }), /must be a non-negative number/);
        assert.throws(() => assumptions({ hasOwnProperty: 3 }), /unknown assumption "hasOwnProperty"/);
    });

    it("takes --assume on the command line, and refuses a bad one with exit 2", async () => {
        const set = await plan("--json", "--assume", "monthlyActiveUsers=12000");
        assert.strictEqual(set.code, 0);
        const report = JSON.parse(set.out);
        assert.strictEqual(report.cost.assumptions.monthlyActiveUsers, 12000);
        // The first 10,000 MAU are free.
        close(report.cost.usage.find((l: CostLine) => l.kind === "Cognito monthly active users").monthly, 2000 * 0.015);
        const bad = await plan("--assume", "monthlyActiveUsers=many");
        assert.strictEqual(bad.code, 2);
        assert.match(bad.err, /--assume: assumption monthlyActiveUsers = "many": must be a non-negative number/);
    });

    it("is part of the plan's text, with the price file it used", async () => {
        const run = await deploy({ stack: "prod" });
        const text = renderCost(estimateCost(run.resources, run.region, prices, assumptions()), path.basename(PRICES_FILE));
        assert.match(text, /^Cost \(estimate: USD a month of 730 h at on-demand list prices in eu-west-1, from prices\.json\):$/m);
        assert.match(text, /^ {2}Gateway Load Balancer +1 × 730 h +no price for gwlb-hour +—$/m);
        assert.match(text, /^ {2}NAT gateways \(security VPC\) +3 × 730 h +\$0\.048\/hour +105\.12$/m);
    });
});
