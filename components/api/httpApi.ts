import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { portRulesPerCidr } from "../network/vpcBuilders";
import { EncryptedLogArgs } from "../security/logEncryptionKey";
import { TaggedArgs, tagChildren } from "../tags";
import { checkArgs, knownNow, oneOfValues } from "../argRules";

/** One route of a backend. */
export interface ApiRoute {
    /** HTTP method: GET, PUT, POST, PATCH, DELETE, HEAD or OPTIONS. */
    readonly method: string;
    /** Path, with `{param}` segments, e.g. `/petstore/pets/{petId}`. */
    readonly path: string;
    /** A write: the route needs a JWT, and the service learns the caller from the identity header. */
    readonly write: boolean;
}

/** One service behind the API: its routes and the Cloud Map service its tasks register into. */
export interface ApiBackend {
    /** Names the backend's integrations; lowercase letters, digits and hyphens. */
    readonly service: string;
    /** Its routes; a write needs a JWT. */
    readonly routes: ApiRoute[];
    /** The Cloud Map service the tasks register into, e.g. `FargateService`'s registry. */
    readonly discoveryServiceArn: pulumi.Input<string>;
    /**
     * Scopes a write token may carry instead of none; a token must then carry at least one. Default: any token of the
     * pool's clients.
     */
    readonly writeScopes?: string[];
}

/** The JWT authorizer of writes. */
export interface JwtAuthorizer {
    /** The token issuer, e.g. `ApiUserPool.issuer`. */
    readonly issuer: pulumi.Input<string>;
    /** Client ids accepted as audience, e.g. `ApiUserPool.audiences`. */
    readonly audiences: pulumi.Input<pulumi.Input<string>[]>;
}

/** Stage-wide throttling: a token bucket. */
export interface ApiThrottle {
    /** Bucket size: requests accepted at once. */
    readonly burstLimit: number;
    /** Refill rate: requests per second. */
    readonly rateLimit: number;
}

const HTTP_METHODS = ["GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/** Arguments of {@link HttpApi}. */
export interface HttpApiArgs extends TaggedArgs {
    /** The VPC of the VPC link. */
    readonly vpcId: pulumi.Input<string>;
    /**
     * The subnets the VPC link's ENIs go in: the vpcLink tier, in AZs where API Gateway supports VPC links. A VPC link
     * cannot change its subnets, so a change here replaces it.
     */
    readonly vpcLinkSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Where the tasks are: the VPC link may send to these CIDRs on `servicePort` and nowhere else. */
    readonly serviceCidrBlocks: string[];
    /** The port the services listen on. */
    readonly servicePort: number;
    /** The services behind the API, each with its routes. */
    readonly backends: ApiBackend[];
    /**
     * The header a service reads to learn who wrote: set from the verified token's subject on writes, removed from
     * reads, so a client-sent copy never arrives.
     */
    readonly identityHeader: string;
    /** Who may write: the token issuer (a Cognito pool's URL) and the client ids it accepts as audience. */
    readonly jwt: JwtAuthorizer;
    /** Stage-wide throttling. Default: a burst of 100 and 50 requests per second. */
    readonly throttle?: ApiThrottle;
    /** Origins browsers may call from. Default: none, CORS off. */
    readonly corsAllowOrigins?: string[];
    /** Retention and key of the access log group. */
    readonly accessLogs: EncryptedLogArgs;
}

/** Access log fields: one JSON object per request. */
const ACCESS_LOG_FORMAT = JSON.stringify({
    requestId: "$context.requestId",
    ip: "$context.identity.sourceIp",
    requestTime: "$context.requestTime",
    routeKey: "$context.routeKey",
    status: "$context.status",
    sub: "$context.authorizer.claims.sub",
    responseLatency: "$context.responseLatency",
    integrationLatency: "$context.integrationLatency",
    integrationStatus: "$context.integrationStatus",
    integrationError: "$context.integrationErrorMessage",
    authorizerError: "$context.authorizer.error",
    responseLength: "$context.responseLength",
});

/**
 * An HTTP API whose routes reach the services through a VPC link in the vpcLink subnets. Reads are public; writes
 * need a JWT from the user pool, and the service learns the caller from `identityHeader`, which API Gateway
 * sets from the token on writes and strips on reads. Any other method or path is API Gateway's own 404.
 */
export class HttpApi extends pulumi.ComponentResource {
    /** The API's id. */
    public readonly apiId: pulumi.Output<string>;
    /** `https://<id>.execute-api.<region>.amazonaws.com`: the `$default` stage serves at the root. */
    public readonly url: pulumi.Output<string>;
    /** The VPC link's id. */
    public readonly vpcLinkId: pulumi.Output<string>;
    /** The VPC link ENIs' security group: it sends only the service port, only to the service subnets. */
    public readonly vpcLinkSecurityGroupId: pulumi.Output<string>;
    /** The access log group: one JSON object per request. */
    public readonly accessLogGroupName: pulumi.Output<string>;

    constructor(name: string, args: HttpApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("inspected-api:api:HttpApi", name, {}, tagChildren(opts, args.tags));
        const throttle = args.throttle ?? { burstLimit: 100, rateLimit: 50 };
        const corsAllowOrigins = args.corsAllowOrigins ?? [];
        checkArgs(this, "HttpApi", name, [
            ["serviceCidrBlocks", knownNow(args.serviceCidrBlocks)],
            ["backends", knownNow(args.backends) ?? args.backends.map(b => knownNow(b.routes) ?? knownNow(b.writeScopes)).find(r => r !== undefined)],
            ...Object.entries(throttle).map(([key, value]): [string, string | undefined] =>
                [`throttle.${key}`, value > 0 ? undefined : `be greater than 0, got ${value}`]),
            ...args.backends.flatMap((b, i) => b.routes.map((r, j): [string, string | undefined] =>
                [`backends[${i}].routes[${j}].method`, oneOfValues(r.method, HTTP_METHODS)])),
        ]);

        const sg = new aws.ec2.SecurityGroup(`${name}-vpc-link-sg`, {
            vpcId: args.vpcId,
            description: `VPC link ENIs: port ${args.servicePort} to the service subnets only`,
            tags: { Name: `${name}-vpc-link` },
        }, { parent: this });
        // No ingress rule: API Gateway reaches its own ENIs; the group only limits where they may send.
        portRulesPerCidr(this, {
            securityGroupId: sg.id,
            direction: "egress",
            port: args.servicePort,
            cidrBlocks: args.serviceCidrBlocks,
            name: az => `${name}-vpc-link-to-service-${az}`,
            description: az => `Service port to service subnet ${az}`,
        });
        const vpcLink = new aws.apigatewayv2.VpcLink(`${name}-vpc-link`, {
            name: `${name}-vpc-link`,
            subnetIds: args.vpcLinkSubnetIds,
            securityGroupIds: [sg.id],
            tags: { Name: `${name}-vpc-link` },
        }, { parent: this });

        const api = new aws.apigatewayv2.Api(`${name}-api`, {
            protocolType: "HTTP",
            description: "Every request inspected by the Gateway Load Balancer fleet before it reaches a service",
            corsConfiguration: corsAllowOrigins.length === 0 ? undefined : {
                allowOrigins: [...corsAllowOrigins],
                allowMethods: ["GET", "PUT"],
                allowHeaders: ["authorization", "content-type", "if-match", "if-none-match"],
                exposeHeaders: ["etag"],
                maxAge: 600,
            },
            tags: { Name: name },
        }, { parent: this });

        const authorizer = new aws.apigatewayv2.Authorizer(`${name}-jwt`, {
            apiId: api.id,
            name: "cognito-jwt",
            authorizerType: "JWT",
            identitySources: ["$request.header.Authorization"],
            jwtConfiguration: { issuer: args.jwt.issuer, audiences: args.jwt.audiences },
        }, { parent: this });

        for (const backend of args.backends) {
            // One integration per direction of trust: reads strip any client copy of the identity header, writes
            // overwrite it with the verified token's subject.
            const integration = (role: "read" | "write") => new aws.apigatewayv2.Integration(`${name}-${backend.service}-${role}`, {
                apiId: api.id,
                integrationType: "HTTP_PROXY",
                integrationMethod: "ANY",
                integrationUri: backend.discoveryServiceArn,
                connectionType: "VPC_LINK",
                connectionId: vpcLink.id,
                payloadFormatVersion: "1.0",
                requestParameters: role === "write"
                    ? { [`overwrite:header.${args.identityHeader}`]: "$context.authorizer.claims.sub" }
                    : { [`remove:header.${args.identityHeader}`]: "''" },
            }, { parent: this });
            const targets = { read: integration("read"), write: integration("write") };
            for (const route of backend.routes) {
                const routeKey = `${route.method} ${route.path}`;
                new aws.apigatewayv2.Route(`${name}-${route.method.toLowerCase()}-${route.path.replace(/[{}]/g, "").replace(/^\//, "").replace(/\//g, "-")}`, {
                    apiId: api.id,
                    routeKey,
                    target: pulumi.interpolate`integrations/${targets[route.write ? "write" : "read"].id}`,
                    ...(route.write
                        ? { authorizationType: "JWT", authorizerId: authorizer.id, authorizationScopes: backend.writeScopes ? [...backend.writeScopes] : undefined }
                        : { authorizationType: "NONE" }),
                }, { parent: this });
            }
        }

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-access-logs`, {
            // Under /aws/vendedlogs/ API Gateway needs no entry in the account's size-capped logs resource policy.
            namePrefix: `/aws/vendedlogs/apigateway/${name}-`,
            retentionInDays: args.accessLogs.retentionInDays,
            kmsKeyId: args.accessLogs.kmsKeyArn,
            tags: { Name: `${name}-access-logs` },
        }, { parent: this });
        new aws.apigatewayv2.Stage(`${name}-stage`, {
            apiId: api.id,
            name: "$default",
            autoDeploy: true,
            defaultRouteSettings: {
                throttlingBurstLimit: throttle.burstLimit,
                throttlingRateLimit: throttle.rateLimit,
                detailedMetricsEnabled: true,
            },
            accessLogSettings: { destinationArn: logGroup.arn, format: ACCESS_LOG_FORMAT },
            tags: { Name: name },
        }, { parent: this });

        this.apiId = api.id;
        this.url = api.apiEndpoint;
        this.vpcLinkId = vpcLink.id;
        this.vpcLinkSecurityGroupId = sg.id;
        this.accessLogGroupName = logGroup.name;
        this.registerOutputs({
            apiId: this.apiId,
            url: this.url,
            vpcLinkId: this.vpcLinkId,
            vpcLinkSecurityGroupId: this.vpcLinkSecurityGroupId,
            accessLogGroupName: this.accessLogGroupName,
        });
    }
}
