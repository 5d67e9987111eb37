import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { InvalidConfigError } from "../../components/config";
import { lookupAvailabilityZones, selectAvailabilityZones } from "../../components/config/availabilityZones";
import { deploy, runProgram, T } from "../kit";

const KEY = "inspected-api:availabilityZoneCount";

describe("availability zone selection", () => {
    const offered = { names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], zoneIds: ["euw1-az3", "euw1-az1", "euw1-az2"] };

    it("takes the lowest zone IDs, whatever names this account gives them", () => {
        assert.deepStrictEqual(selectAvailabilityZones(offered, 2, "eu-west-1", KEY), {
            zoneIds: ["euw1-az1", "euw1-az2"],
            names: ["eu-west-1b", "eu-west-1c"],
            vpcLinkSupported: [true, true],
        });
    });

    it("marks the zones where API Gateway has no VPC links, and refuses a choice with none", () => {
        // AWS lists use1-az3 as the one us-east-1 zone without VPC links.
        const useast1 = { names: ["a", "b", "c", "d", "e", "f"], zoneIds: ["use1-az6", "use1-az5", "use1-az4", "use1-az3", "use1-az2", "use1-az1"] };
        const three = selectAvailabilityZones(useast1, 3, "us-east-1", KEY);
        assert.deepStrictEqual(three.zoneIds, ["use1-az1", "use1-az2", "use1-az3"]);
        assert.deepStrictEqual(three.vpcLinkSupported, [true, true, false]);
        // A region the table does not list is taken as unrestricted.
        assert.deepStrictEqual(selectAvailabilityZones({ names: ["x"], zoneIds: ["new1-az1"] }, 1, "new-region-1", KEY).vpcLinkSupported, [true]);
        // ap-east-1 has VPC links in az2 and az3 only.
        assert.throws(() => selectAvailabilityZones({ names: ["a"], zoneIds: ["ape1-az1"] }, 1, "ap-east-1", KEY),
            /must include an AZ where API Gateway supports VPC links; ape1-az1 of ap-east-1 have none/);
    });

    it("orders az10 after az9", () => {
        const many = { names: ["x-a", "x-b"], zoneIds: ["x-az10", "x-az9"] };
        assert.deepStrictEqual(selectAvailabilityZones(many, 2, "x", KEY).zoneIds, ["x-az9", "x-az10"]);
    });

    it("rejects a count the region cannot meet, naming the key and the zones it has", () => {
        assert.throws(() => selectAvailabilityZones(offered, 4, "eu-west-1", KEY), (err: InvalidConfigError) =>
            err.name === "InvalidConfigError"
            && err.problems[0].key === KEY
            && /must be at most 3: eu-west-1 offers 3 AZs \(euw1-az1, euw1-az2, euw1-az3\)/.test(err.message));
    });

    it("fails before any resource registers when the region falls short", async () => {
        const run = await runProgram({
            program: async () => {
                await lookupAvailabilityZones(7);
                new aws.ec2.Vpc("never", { cidrBlock: "10.0.0.0/16" });
            },
        });
        assert.match(run.error?.message ?? "", /inspected-api:availabilityZoneCount = "7": must be at most 6: us-east-1 offers 6 AZs/);
        assert.strictEqual(run.resources.size, 0);
    });

    it("is what the program builds in", async () => {
        const run = await deploy({ config: { availabilityZoneCount: 3 } });
        const zoneIds = run.resources.ofType(T.subnet).map(s => s.inputs.availabilityZoneId);
        assert.deepStrictEqual([...new Set(zoneIds)].sort(), ["use1-az1", "use1-az2", "use1-az3"]);
    });
});
