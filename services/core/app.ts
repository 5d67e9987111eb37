import Fastify, { FastifyError, FastifyInstance, FastifyReply, FastifyServerOptions } from "fastify";
import * as catalog from "../catalog.json";
import { Entity } from "./entity";
import { Precondition, Repository, VersionConflict } from "./repository";

/** Set by API Gateway from the verified token on writes (and stripped on reads); named in the catalog both sides read. */
const IDENTITY_HEADER = catalog.identityHeader;

/** Ids: what is safe in a path, a log line and a DynamoDB key. */
const ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$";
const MAX_BODY_BYTES = 16 * 1024;
const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

/** A client error with the status and the JSON body it is answered with. */
class HttpError extends Error {
    constructor(readonly statusCode: number, readonly error: string, message: string) {
        super(message);
    }
}

function send(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
    return reply.code(status).type("application/json").send({ error, message });
}

const etag = (version: number) => `"${version}"`;

/**
 * The write's precondition from `If-Match` (`"3"`: that version; `*`: any, but the item must exist) and
 * `If-None-Match: *` (create only). A tag naming no version (weak, malformed) can never match: 412.
 */
function precondition(ifMatch: string | undefined, ifNoneMatch: string | undefined): Precondition | undefined | "never" {
    if (ifNoneMatch !== undefined) {
        return ifNoneMatch.trim() === "*" && ifMatch === undefined ? "absent" : "never";
    }
    if (ifMatch === undefined) {
        return undefined;
    }
    if (ifMatch.trim() === "*") {
        return "exists";
    }
    const match = /^"(\d{1,15})"$/.exec(ifMatch.trim());
    return match ? { version: Number(match[1]) } : "never";
}

/** The opaque list cursor: the last id of the previous page, base64url-encoded JSON. */
function encodeCursor(lastId: string): string {
    return Buffer.from(JSON.stringify({ after: lastId })).toString("base64url");
}

function decodeCursor(cursor: string): string {
    try {
        const after = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")).after;
        if (typeof after === "string" && new RegExp(ID_PATTERN).test(after)) {
            return after;
        }
    } catch {
        // Falls through to the 400 below.
    }
    throw new HttpError(400, "BadRequest", "cursor is not one this API returned");
}

/**
 * The HTTP API of one service: list, get and put of its items, and /health. Every client mistake is a 4xx with a
 * JSON body; only a failing dependency is a 5xx.
 */
export function buildApp(entity: Entity, repository: Repository, options: FastifyServerOptions = {}): FastifyInstance {
    const app = Fastify({
        bodyLimit: MAX_BODY_BYTES,
        // Validation must reject what is wrong, never fix it: no coercion, no stripping of unknown fields.
        ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
        return503OnClosing: true,
        ...options,
    });
    // While stopping, answers still in flight close their keep-alive connections, so the server can finish closing.
    let closing = false;
    app.addHook("preClose", async () => {
        closing = true;
    });
    app.addHook("onSend", async (_request, reply) => {
        if (closing) {
            reply.header("connection", "close");
        }
    });
    // JSON only: any other body type is 415, not a string that fails validation.
    app.removeContentTypeParser("text/plain");
    const collection = `/${entity.service}/${entity.collection}`;
    const item = `${collection}/:id`;
    const idSchema = { type: "string", pattern: ID_PATTERN };
    const params = { type: "object", properties: { id: idSchema }, required: ["id"] };
    // An item route takes no query parameters; one sent anyway is a client mistake, not something to ignore.
    const noQuery = { type: "object", additionalProperties: false };

    app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
        if (err instanceof HttpError) {
            return send(reply, err.statusCode, err.error, err.message);
        }
        if (err.validation) {
            return send(reply, 400, "BadRequest", `${err.validationContext ?? "request"} ${err.validation[0]?.instancePath ?? ""} ${err.validation[0]?.message ?? "is invalid"}`.replace(/\s+/g, " ").trim());
        }
        if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
            return send(reply, err.statusCode, err.code ?? "BadRequest", err.message);
        }
        request.log.error({ err }, "request failed");
        return send(reply, 503, "Unavailable", "the service could not complete the request; retry later");
    });
    app.setNotFoundHandler((request, reply) => send(reply, 404, "NotFound", `no route ${request.method} ${request.url.split("?")[0]}`));

    app.get("/health", async () => ({ status: "ok" }));

    app.get(collection, {
        schema: {
            querystring: {
                type: "object",
                additionalProperties: false,
                properties: { limit: { type: "string", pattern: "^[0-9]{1,3}$" }, cursor: { type: "string", maxLength: 512 } },
            },
        },
    }, async request => {
        const query = request.query as { limit?: string; cursor?: string };
        const limit = query.limit === undefined ? DEFAULT_PAGE : Number(query.limit);
        if (!(limit >= 1 && limit <= MAX_PAGE)) {
            throw new HttpError(400, "BadRequest", `limit must be from 1 to ${MAX_PAGE}`);
        }
        const page = await repository.list(limit, query.cursor === undefined ? undefined : decodeCursor(query.cursor));
        return { items: page.items, cursor: page.lastId === undefined ? null : encodeCursor(page.lastId) };
    });

    app.get(item, { schema: { params, querystring: noQuery } }, async (request, reply) => {
        const { id } = request.params as { id: string };
        const found = await repository.get(id);
        if (!found) {
            return send(reply, 404, "NotFound", `no ${entity.idKey} ${id}`);
        }
        return reply.header("etag", etag(found.version)).send(found);
    });

    app.put(item, {
        schema: {
            params,
            querystring: noQuery,
            body: {
                type: "object",
                additionalProperties: false,
                properties: { ...entity.properties, [entity.idKey]: idSchema },
                required: [...entity.required],
            },
        },
    }, async (request, reply) => {
        const { id } = request.params as { id: string };
        const body = request.body as Record<string, unknown>;
        if (body[entity.idKey] !== undefined && body[entity.idKey] !== id) {
            throw new HttpError(400, "BadRequest", `body ${entity.idKey} "${body[entity.idKey]}" differs from the path's "${id}"`);
        }
        const updatedBy = request.headers[IDENTITY_HEADER];
        if (typeof updatedBy !== "string" || !/^[\x21-\x7e]{1,128}$/.test(updatedBy)) {
            throw new HttpError(401, "Unauthorized", "writes come through the API, which names the caller");
        }
        const header = (name: string) => {
            const value = request.headers[name];
            return value === undefined ? undefined : String(value);
        };
        const required = precondition(header("if-match"), header("if-none-match"));
        if (required === "never") {
            throw new HttpError(412, "PreconditionFailed", "If-Match or If-None-Match names no state this item can be in");
        }
        try {
            const { item: stored, created } = await repository.put(id, body, updatedBy, required);
            return reply.code(created ? 201 : 200).header("etag", etag(stored.version)).send(stored);
        } catch (err) {
            if (err instanceof VersionConflict) {
                throw new HttpError(required === undefined ? 409 : 412, required === undefined ? "Conflict" : "PreconditionFailed", err.message);
            }
            throw err;
        }
    });

    // Known paths answer other methods with 405 and the methods they allow, not 404.
    const methodNotAllowed = (allowed: string) => async (_request: unknown, reply: FastifyReply) =>
        send(reply.header("allow", allowed), 405, "MethodNotAllowed", `allowed: ${allowed}`);
    app.route({ method: ["POST", "PUT", "PATCH", "DELETE"], url: collection, handler: methodNotAllowed("GET, HEAD") });
    app.route({ method: ["POST", "PATCH", "DELETE"], url: item, handler: methodNotAllowed("GET, HEAD, PUT") });
    return app;
}
