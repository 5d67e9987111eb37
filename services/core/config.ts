/** What a service reads from its environment. */
export interface ServiceConfig {
    readonly tableName: string;
    readonly region: string;
    readonly port: number;
    /** Only for tests and local runs against dynalite; unset in AWS. */
    readonly dynamoDbEndpoint?: string;
}

/** Reads the environment or throws one error naming every missing or bad variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
    const problems: string[] = [];
    const required = (name: string): string => {
        const value = env[name];
        if (value === undefined || value.trim() === "") {
            problems.push(`${name} is not set`);
            return "";
        }
        return value;
    };
    const tableName = required("TABLE_NAME");
    const region = required("AWS_REGION");
    const rawPort = required("PORT");
    const port = Number(rawPort);
    if (rawPort !== "" && !(/^\d+$/.test(rawPort) && port >= 1 && port <= 65535)) {
        problems.push(`PORT must be an integer from 1 to 65535, got "${rawPort}"`);
    }
    if (problems.length > 0) {
        throw new Error(`invalid environment: ${problems.join("; ")}`);
    }
    return { tableName, region, port, dynamoDbEndpoint: env.DYNAMODB_ENDPOINT || undefined };
}
