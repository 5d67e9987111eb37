/** HTTP helpers for the service tests, over the dynalite runner in tools/services. */
export { Dynalite, startDynalite, startService } from "../../tools/services/local";

export interface Reply {
    readonly status: number;
    readonly headers: Headers;
    readonly body: any;
}

/** One HTTP request; the body is parsed when it is JSON. */
export async function call(url: string, method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers["content-type"] ??= "application/json";
    }
    const response = await fetch(`${url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get("content-type") ?? "").includes("application/json") && text !== "") {
        parsed = JSON.parse(text);
    }
    return { status: response.status, headers: response.headers, body: parsed };
}

/** The identity API Gateway would set from a verified token. */
export const AS_ALICE = { "x-authenticated-sub": "alice-sub" };
