/**
 * A stand-in for the Pulumi engine, which cannot run here (the CLI cannot be installed): its ResourceMonitor and
 * Engine gRPC services, so that the component provider can be asked to Construct over gRPC exactly as the engine asks
 * it. Behind the monitor is Pulumi's own MockMonitor answering with this project's mocks (tools/mock); nothing of AWS
 * is imitated beyond what those mocks already do for every unit test.
 */
import * as grpc from "@grpc/grpc-js";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { createMocks, MOCK_ACCOUNT_ID } from "../mock/mocks";

/* eslint-disable @typescript-eslint/no-require-imports */
const resourceGrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const resourceProto = require("@pulumi/pulumi/proto/resource_pb");
const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const engineProto = require("@pulumi/pulumi/proto/engine_pb");
const emptyProto = require("google-protobuf/google/protobuf/empty_pb");
const rpc = require("@pulumi/pulumi/runtime/rpc");
/* eslint-enable @typescript-eslint/no-require-imports */

/** One RegisterResource the provider sent, as the engine would have received it. */
export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent: string;
    readonly inputs: Record<string, unknown>;
}

type Callback = (err: Error | null, response?: unknown) => void;

export interface EngineStandIn {
    readonly address: string;
    readonly registered: Registered[];
    readonly logs: string[];
    close(): Promise<void>;
}

export async function startEngineStandIn(project: string, stack: string, region = "us-east-1"): Promise<EngineStandIn> {
    const registered: Registered[] = [];
    const logs: string[] = [];
    const monitor = new MockMonitor(createMocks({ region, accountId: MOCK_ACCOUNT_ID }));
    // MockMonitor names URNs after the calling process's stack; the engine names them after the request's.
    (monitor as unknown as { newUrn: (parent: string, type: string, name: string) => string }).newUrn = (parent, type, name) => {
        const parentType = parent ? `${parent.split("::")[2]}$` : "";
        return `urn:pulumi:${stack}::${project}::${parentType}${type}::${name}`;
    };
    const unary = (handler: (request: any, callback: Callback) => unknown) => (call: { request: any }, callback: Callback) => handler(call.request, callback);

    const server = new grpc.Server();
    server.addService(resourceGrpc.ResourceMonitorService, {
        supportsFeature: unary((req, callback) => {
            const response = new resourceProto.SupportsFeatureResponse();
            response.setHassupport(req.getId() !== "outputValues" && req.getId() !== "transforms");
            callback(null, response);
        }),
        invoke: unary((req, callback) => monitor.invoke(req, callback)),
        readResource: unary((req, callback) => monitor.readResource(req, callback)),
        registerResource: unary((req, callback) => {
            registered.push({
                type: req.getType(), name: req.getName(), custom: req.getCustom(), parent: req.getParent(),
                inputs: rpc.deserializeProperties(req.getObject()),
            });
            return monitor.registerResource(req, callback);
        }),
        registerResourceOutputs: unary((req, callback) => monitor.registerResourceOutputs(req, (err: Error | null) => callback(err, new emptyProto.Empty()))),
        registerPackage: unary((req, callback) => monitor.registerPackage(req, callback)),
    });
    server.addService(engineGrpc.EngineService, {
        log: unary((req, callback) => {
            logs.push(req.getMessage());
            callback(null, new emptyProto.Empty());
        }),
        getRootResource: unary((_req, callback) => callback(null, new engineProto.GetRootResourceResponse())),
        setRootResource: unary((_req, callback) => callback(null, new engineProto.SetRootResourceResponse())),
    });
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))));
    return {
        address: `127.0.0.1:${port}`,
        registered,
        logs,
        close: () => new Promise(resolve => server.tryShutdown(() => resolve())),
    };
}
