/**
 * The one test kit: a thin layer over the mock runtime core in tools/mock, which `npm run plan` uses too. Every
 * infrastructure test runs the program (or a component through its public API) with {@link deploy} or
 * {@link deployInvalid} and queries the registrations.
 */
import { ProgramRun, runProgram, RunOptions } from "../../tools/mock";

export * from "../../tools/mock";

/** Resource type tokens the tests query by. */
export const T = {
    stack: "pulumi:pulumi:Stack",
    workloadVpc: "inspected-api:network:WorkloadVpc",
    flowLogs: "inspected-api:network:VpcFlowLogs",
    logKey: "inspected-api:security:LogEncryptionKey",
    inspectionVpc: "inspected-api:inspection:InspectionVpc",
    applianceFleet: "inspected-api:inspection:ApplianceFleet",
    inspectedRouting: "inspected-api:inspection:InspectedRouting",
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    routeTable: "aws:ec2/routeTable:RouteTable",
    routeTableAssociation: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    route: "aws:ec2/route:Route",
    vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    defaultSecurityGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    internetGateway: "aws:ec2/internetGateway:InternetGateway",
    natGateway: "aws:ec2/natGateway:NatGateway",
    eip: "aws:ec2/eip:Eip",
    flowLog: "aws:ec2/flowLog:FlowLog",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    kmsKey: "aws:kms/key:Key",
    iamRole: "aws:iam/role:Role",
    iamRolePolicy: "aws:iam/rolePolicy:RolePolicy",
    iamRolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    instanceProfile: "aws:iam/instanceProfile:InstanceProfile",
    serviceLinkedRole: "aws:iam/serviceLinkedRole:ServiceLinkedRole",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    vpcEndpointService: "aws:ec2/vpcEndpointService:VpcEndpointService",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    autoScalingGroup: "aws:autoscaling/group:Group",
    autoScalingPolicy: "aws:autoscaling/policy:Policy",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    httpApi: "inspected-api:api:HttpApi",
    serviceDiscovery: "inspected-api:api:ServiceDiscovery",
    apiUserPool: "inspected-api:auth:ApiUserPool",
    api: "aws:apigatewayv2/api:Api",
    apiRoute: "aws:apigatewayv2/route:Route",
    apiIntegration: "aws:apigatewayv2/integration:Integration",
    apiAuthorizer: "aws:apigatewayv2/authorizer:Authorizer",
    apiStage: "aws:apigatewayv2/stage:Stage",
    vpcLink: "aws:apigatewayv2/vpcLink:VpcLink",
    dnsNamespace: "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
    discoveryService: "aws:servicediscovery/service:Service",
    userPool: "aws:cognito/userPool:UserPool",
    userPoolClient: "aws:cognito/userPoolClient:UserPoolClient",
    resourceServer: "aws:cognito/resourceServer:ResourceServer",
    userPoolDomain: "aws:cognito/userPoolDomain:UserPoolDomain",
} as const;

/** Runs of the same stack and config, shared across test files: a run is deterministic and tests only read it. */
const runs = new Map<string, Promise<ProgramRun>>();

/**
 * Runs the program and fails with the program's own error if it did not plan cleanly. Runs of a module program
 * (the default) are memoized by their options; a program given as a function runs every time.
 */
export function deploy(options: RunOptions = {}): Promise<ProgramRun> {
    const key = typeof options.program === "function" ? undefined : JSON.stringify(options);
    const cached = key === undefined ? undefined : runs.get(key);
    if (cached) {
        return cached;
    }
    const run = runProgram(options).then(result => {
        if (result.error) {
            throw new Error(`the program failed under mocks: ${result.error.message}`, { cause: result.error });
        }
        return result;
    });
    if (key !== undefined) {
        runs.set(key, run);
    }
    return run;
}

/** Runs the program expecting it to fail; fails if it planned cleanly. */
export async function deployInvalid(options: RunOptions = {}): Promise<ProgramRun & { error: Error }> {
    const run = await runProgram(options);
    if (!run.error) {
        throw new Error(`expected the program to fail with config ${JSON.stringify(options.config ?? {})}, but it planned ${run.resources.size} resources`);
    }
    return run as ProgramRun & { error: Error };
}
