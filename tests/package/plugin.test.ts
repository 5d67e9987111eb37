/**
 * The component package as `pulumi package add` loads it: Pulumi's own plugin runner (`@pulumi/pulumi/cmd/run-plugin`,
 * what the Node.js language host launches for a PulumiPlugin.yaml with runtime nodejs) started on this checkout,
 * asked for its schema over gRPC. It requires the package root as npm would (package.json `main`, built first).
 */
import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { inferSchema, PACKAGE_DIR, PackageSchema } from "../../tools/package/schema";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const providerProto = require("@pulumi/pulumi/proto/provider_pb");

/** Starts the plugin as the language host does and resolves with the port it prints. */
function startPlugin(): Promise<{ child: ChildProcess; port: number }> {
    const runPlugin = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "run-plugin");
    const child = spawn(process.execPath, [runPlugin, PACKAGE_DIR], { cwd: PACKAGE_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", chunk => { stderr += chunk; });
    return new Promise((resolve, reject) => {
        child.stdout!.once("data", chunk => {
            const port = Number(String(chunk).trim().split("\n")[0]);
            if (Number.isInteger(port) && port > 0) resolve({ child, port });
            else reject(new Error(`the plugin printed ${JSON.stringify(String(chunk))}, not a port`));
        });
        child.once("exit", code => reject(new Error(`the plugin exited with ${code} before listening: ${stderr}`)));
    });
}

describe("the component package under Pulumi's own plugin runner (GetSchema over gRPC)", function () {
    this.timeout(180_000);
    let plugin: { child: ChildProcess; port: number };
    before(async () => {
        // run-plugin requires package.json `main`: the build a git install's `prepare` makes.
        execFileSync(process.execPath, [path.join(PACKAGE_DIR, "tools", "package", "build.js")], { stdio: "ignore" });
        plugin = await startPlugin();
    });
    after(() => {
        plugin?.child.kill();
    });

    it("serves the same schema as the in-process analyzer, with every component", async () => {
        const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
        const request = new providerProto.GetSchemaRequest();
        request.setVersion(0);
        const served = await new Promise<PackageSchema>((resolve, reject) => client.getSchema(request, (err: Error | null, response: { getSchema(): string }) =>
            err ? reject(err) : resolve(JSON.parse(response.getSchema()))));
        client.close();
        assert.strictEqual(served.name, "inspected-api");
        assert.strictEqual(Object.keys(served.resources).length, 12);
        assert.deepStrictEqual(served, await inferSchema());
    });
});
