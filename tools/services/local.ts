/**
 * Runs a service against dynalite, a real DynamoDB-API server that keeps its data in memory, in this process: what the
 * service tests and `npm run bench:service` stand on. Nothing of DynamoDB is faked.
 */
import { AddressInfo } from "net";
import { buildApp } from "../../services/core/app";
import { Entity } from "../../services/core/entity";
import { createLocalTable, localClient } from "../../services/core/localTable";
import { Repository } from "../../services/core/repository";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => import("http").Server;

export interface Dynalite {
    readonly endpoint: string;
    close(): Promise<void>;
}

export async function startDynalite(): Promise<Dynalite> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise(resolve => server.close(() => resolve())) };
}

let tables = 0;

/** A service on a fresh table of its own, listening on a free port, and the repository behind it. */
export async function startService(db: Dynalite, entity: Entity): Promise<{ url: string; app: ReturnType<typeof buildApp>; tableName: string; repository: Repository }> {
    const client = localClient(db.endpoint);
    const tableName = `${entity.service}-${++tables}`;
    await createLocalTable(client, tableName, entity.idKey);
    const repository = new Repository(client, tableName, entity.idKey);
    const app = buildApp(entity, repository);
    await app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, app, tableName, repository };
}
