// A stand-in for the consumer's service: it answers health checks and echoes the path. TABLE_NAME names its table.
"use strict";
const http = require("http");
http.createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(req.url === "/health" ? { ok: true } : { path: req.url, table: process.env.TABLE_NAME }));
}).listen(Number(process.env.PORT ?? 8080));
