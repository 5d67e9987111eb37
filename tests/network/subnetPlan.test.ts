import * as assert from "assert";
import { overlaps, parseCidr, contains } from "../../components/network/cidr";
import { planSecuritySubnets, planWorkloadSubnets, SECURITY_TIERS, SubnetPlanError, usableAddresses, WORKLOAD_TIERS } from "../../components/network/subnetPlan";

const flatten = (plan: ReturnType<typeof planWorkloadSubnets>) => WORKLOAD_TIERS.flatMap(t => plan.tiers[t]);

describe("planWorkloadSubnets", () => {
    it("gives the sizes of the design at /16", () => {
        const plan = planWorkloadSubnets("10.0.0.0/16", 2);
        assert.deepStrictEqual(plan.tiers, {
            service: ["10.0.0.0/20", "10.0.32.0/20"],
            vpcLink: ["10.0.16.0/24", "10.0.48.0/24"],
            privateLink: ["10.0.17.0/26", "10.0.49.0/26"],
            public: ["10.0.17.64/26", "10.0.49.64/26"],
            endpoint: ["10.0.17.128/28", "10.0.49.128/28"],
        });
    });

    for (const vpcCidr of ["10.0.0.0/16", "10.8.0.0/18", "192.168.16.0/20", "10.0.0.0/22"]) {
        for (const azs of [1, 2, 3, 6, 8]) {
            it(`fits ${azs} AZs in ${vpcCidr}: inside, disjoint, one per AZ per tier`, () => {
                const plan = planWorkloadSubnets(vpcCidr, azs);
                const vpc = parseCidr(vpcCidr);
                for (const tier of WORKLOAD_TIERS) {
                    assert.strictEqual(plan.tiers[tier].length, azs, tier);
                }
                const all = flatten(plan).map(parseCidr);
                all.forEach(s => assert.ok(contains(vpc, s), `${JSON.stringify(s)} outside ${vpcCidr}`));
                all.forEach(s => assert.ok(s.prefix >= 16 && s.prefix <= 28, "AWS subnet sizes are /16 to /28"));
                for (let i = 0; i < all.length; i++) {
                    for (let j = i + 1; j < all.length; j++) {
                        assert.ok(!overlaps(all[i], all[j]), `subnets ${i} and ${j} overlap`);
                    }
                }
                plan.tiers.endpoint.forEach(c => assert.ok(c.endsWith("/28"), "endpoint subnets are /28"));
            });
        }
    }

    it("never renumbers existing subnets when AZs are added", () => {
        const two = planWorkloadSubnets("10.0.0.0/18", 2);
        const six = planWorkloadSubnets("10.0.0.0/18", 6);
        for (const tier of WORKLOAD_TIERS) {
            assert.deepStrictEqual(six.tiers[tier].slice(0, 2), two.tiers[tier], tier);
        }
    });

    it("scales the service tier with the VPC and keeps it the largest", () => {
        assert.strictEqual(planWorkloadSubnets("10.0.0.0/18", 2).tiers.service[0], "10.0.0.0/22");
        assert.strictEqual(planWorkloadSubnets("10.0.0.0/20", 2).tiers.service[0], "10.0.0.0/24");
        assert.strictEqual(planWorkloadSubnets("10.0.0.0/20", 2).tiers.vpcLink[0], "10.0.1.0/28");
    });

    it("refuses a VPC too small for the tiers, naming the size that fits", () => {
        assert.throws(() => planWorkloadSubnets("10.0.0.0/23", 2), (err: Error) =>
            err instanceof SubnetPlanError && /too small for the tier plan/.test(err.message) && /use a \/22 or larger/.test(err.message));
        assert.throws(() => planWorkloadSubnets("10.0.0.0/28", 1), SubnetPlanError);
    });

    it("refuses AZ counts it cannot place and VPC sizes AWS refuses", () => {
        assert.throws(() => planWorkloadSubnets("10.0.0.0/16", 9), /AZ count must be an integer from 1 to 8/);
        assert.throws(() => planWorkloadSubnets("10.0.0.0/16", 0), /AZ count/);
        assert.throws(() => planWorkloadSubnets("10.0.0.0/16", 2.5), /AZ count/);
        assert.throws(() => planWorkloadSubnets("10.0.0.0/15", 2), /from \/16 to \/28/);
    });
});

describe("planSecuritySubnets", () => {
    it("gives appliance subnets half of each AZ block and the NAT tier what is left, never below /28", () => {
        assert.deepStrictEqual(planSecuritySubnets("10.100.0.0/16", 2).tiers, {
            appliance: ["10.100.0.0/20", "10.100.32.0/20"],
            public: ["10.100.16.0/22", "10.100.48.0/22"],
        });
        assert.deepStrictEqual(planSecuritySubnets("10.100.0.0/24", 3).tiers, {
            appliance: ["10.100.0.0/28", "10.100.0.32/28", "10.100.0.64/28"],
            public: ["10.100.0.16/28", "10.100.0.48/28", "10.100.0.80/28"],
        });
    });

    for (const vpcCidr of ["10.100.0.0/16", "172.16.0.0/20", "192.168.1.0/24"]) {
        it(`fits 6 AZs in ${vpcCidr}, disjoint and inside`, () => {
            const plan = planSecuritySubnets(vpcCidr, 6);
            const all = SECURITY_TIERS.flatMap(t => plan.tiers[t]).map(parseCidr);
            assert.strictEqual(all.length, 12);
            all.forEach(s => assert.ok(contains(parseCidr(vpcCidr), s)));
            all.forEach((a, i) => all.slice(i + 1).forEach(b => assert.ok(!overlaps(a, b))));
        });
    }

    it("counts the addresses AWS leaves usable in a subnet", () => {
        assert.strictEqual(usableAddresses(28), 11);
        assert.strictEqual(usableAddresses(20), 4091);
    });

    it("rejects a VPC too small for both tiers, naming the size that fits", () => {
        assert.throws(() => planSecuritySubnets("10.100.0.0/26", 2), /use a \/24 or larger/);
    });
});
