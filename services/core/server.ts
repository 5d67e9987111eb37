import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { buildApp } from "./app";
import { readConfig } from "./config";
import { Entity } from "./entity";
import { Repository } from "./repository";

/**
 * Runs a service: reads the environment (exiting 1 with the reason when it is incomplete), serves on PORT, and on
 * SIGTERM or SIGINT stops accepting, lets in-flight requests finish, and exits 0.
 */
export async function serve(entity: Entity, env: NodeJS.ProcessEnv = process.env): Promise<void> {
    let config;
    try {
        config = readConfig(env);
    } catch (err) {
        process.stderr.write(`${entity.service}: ${(err as Error).message}\n`);
        process.exit(1);
    }
    const client = new DynamoDBClient({ region: config.region, endpoint: config.dynamoDbEndpoint });
    const app = buildApp(entity, new Repository(client, config.tableName, entity.idKey), {
        logger: { level: env.LOG_LEVEL ?? "info", base: { service: entity.service } },
    });
    let stopping = false;
    const stop = (signal: string) => {
        if (stopping) {
            return;
        }
        stopping = true;
        app.log.info({ signal }, "stopping: no new requests, finishing in-flight ones");
        app.close().then(() => process.exit(0), err => {
            app.log.error({ err }, "unclean stop");
            process.exit(1);
        });
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
    await app.listen({ host: "0.0.0.0", port: config.port });
}
