// Runs the program under Pulumi's mocks, as a consumer's own unit test would, and prints what registered.
import * as pulumi from "@pulumi/pulumi";

const types = new Map<string, number>();
pulumi.runtime.setMocks({
    newResource: args => {
        types.set(args.type, (types.get(args.type) ?? 0) + 1);
        return { id: `${args.name}-id`, state: { ...args.inputs, arn: `arn:aws:mock:::${args.name}`, name: args.inputs.name ?? args.name, arnSuffix: `gwy/${args.name}/1` } };
    },
    call: args => args.token === "aws:index/getRegion:getRegion" ? { name: "us-east-1", region: "us-east-1", id: "us-east-1" }
        : args.token === "aws:index/getCallerIdentity:getCallerIdentity" ? { accountId: "123456789012", arn: "arn", userId: "u" }
        : args.token === "aws:index/getPartition:getPartition" ? { partition: "aws", dnsSuffix: "amazonaws.com" }
        : args.token === "aws:ec2/getVpcEndpointService:getVpcEndpointService" ? { serviceName: `com.amazonaws.us-east-1.${args.inputs.service}` }
        : args.token === "aws:ssm/getParameter:getParameter" ? { value: "ami-0123456789abcdef0", type: "String" }
        : args.token === "aws:ec2/getInstanceType:getInstanceType" ? { supportedArchitectures: ["x86_64"] }
        : args.token === "aws:ec2/getAmi:getAmi" ? { id: "ami-0123456789abcdef0", rootDeviceName: "/dev/xvda" }
        : {},
}, "consumer", "test", false);

// Only a run that gets to its last line passes: a promise that never settles must not look like success.
process.exitCode = 1;
async function main() {
    // Loaded only after the mocks are set, as Pulumi's unit testing guide requires.
    const { program } = await import("./program");
    const outputs = program();
    await new Promise(resolve => setTimeout(resolve, 500));
    const url = await new Promise(resolve => outputs.url.apply(resolve));
    const total = [...types.values()].reduce((a, b) => a + b, 0);
    for (const wanted of ["inspected-api:network:WorkloadVpc", "inspected-api:inspection:InspectionVpc", "inspected-api:inspection:InspectedRouting", "inspected-api:api:HttpApi", "inspected-api:compute:FargateService", "aws:ec2/route:Route"]) {
        if (!types.has(wanted)) throw new Error(`no ${wanted} registered`);
    }
    console.log(`consumer: ${total} resources registered under mocks; api url ${String(url)}`);
    process.exitCode = 0;
}
main().catch(err => {
    console.error(err);
    process.exit(1);
});
