#!/usr/bin/python3
"""Stand-ins for what EC2 itself provides to an appliance, and nothing else (npm run test:appliance).

AWS runs these for a real instance; none can exist on this machine, so the boot test serves them from the namespace
that plays the Gateway Load Balancer:
- IMDSv2 on 169.254.169.254:80: a token first (requests without one get 401, as with httpTokens=required), then the
  region, the instance's address and id, and role credentials.
- The EC2 API's DescribeNetworkInterfaces (HTTPS, SigV4-signed with those credentials): the GWLB's ENIs, filtered
  by description as EC2 filters them.
- AWS's regional S3 buckets for the SSM and CloudWatch agents' .deb files: the test's stand-in packages.

    standins.py CONFIG.json     serves until killed; CONFIG names the addresses, files and answers
"""
import http.server
import json
import re
import ssl
import sys
import threading
import urllib.parse
from xml.sax.saxutils import escape

CONFIG = json.load(open(sys.argv[1]))
TOKEN = "stand-in-imds-token"
ROLE = "inspection-appliances-role"
ACCESS_KEY = "ASIASTANDINACCESSKEY"
SESSION_TOKEN = "stand-in-session"
CALLS = threading.Lock()


def record(call):
    """Every request, one JSON line, for the test to check who asked for what."""
    with CALLS, open(CONFIG["callsLog"], "a") as log:
        log.write(json.dumps(call) + "\n")


def answer(handler, status, body, content_type="text/plain"):
    data = body if isinstance(body, bytes) else body.encode()
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class Imds(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        if self.path != "/latest/api/token" or not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return answer(self, 400, "bad token request")
        answer(self, 200, TOKEN)

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
            record({"service": "imds", "path": self.path, "token": False})
            return answer(self, 401, "IMDSv2 only: token required")
        record({"service": "imds", "path": self.path, "token": True})
        meta = {
            "placement/region": CONFIG["region"],
            "placement/availability-zone": CONFIG["region"] + "a",
            "local-ipv4": CONFIG["applianceAddress"],
            "instance-id": CONFIG["instanceId"],
            "iam/security-credentials/": ROLE,
            "iam/security-credentials": ROLE,
            "iam/security-credentials/" + ROLE: json.dumps({
                "Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": ACCESS_KEY,
                "SecretAccessKey": "stand-in-secret", "Token": SESSION_TOKEN, "Expiration": "2099-01-01T00:00:00Z",
                "LastUpdated": "2026-01-01T00:00:00Z",
            }),
        }
        value = meta.get(self.path.removeprefix("/latest/meta-data/"))
        if value is None:
            return answer(self, 404, "not found")
        answer(self, 200, value)

    def log_message(self, *args):
        pass


class Aws(http.server.BaseHTTPRequestHandler):
    """ec2.<region>.amazonaws.com and the agents' S3 buckets, by Host header."""

    def do_POST(self):
        host = self.headers.get("Host", "")
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        params = urllib.parse.parse_qs(body)
        # SigV4 with the role's session credentials, scoped to this region's EC2 (the signature itself is not
        # recomputed: what is checked is that the caller used what IMDS handed out, for the right service).
        authorization = self.headers.get("Authorization", "")
        scope = re.search(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request", authorization)
        signed = (authorization.startswith("AWS4-HMAC-SHA256 ") and scope is not None
                  and scope.groups() == (ACCESS_KEY, CONFIG["region"], "ec2")
                  and self.headers.get("X-Amz-Security-Token") == SESSION_TOKEN)
        record({"service": "ec2", "host": host, "action": params.get("Action", [""])[0], "signed": signed})
        if host != f"ec2.{CONFIG['region']}.amazonaws.com" or params.get("Action") != ["DescribeNetworkInterfaces"]:
            return answer(self, 400, "unsupported")
        if not signed:
            return answer(self, 403, "<Response><Errors><Error><Code>AuthFailure</Code></Error></Errors></Response>")
        wanted = set()
        filters = {}
        for key, values in params.items():
            if key.startswith("Filter.") and key.endswith(".Name"):
                filters[key[:-len(".Name")]] = values[0]
        for prefix, name in filters.items():
            if name == "description":
                wanted |= {v[0] for k, v in params.items() if k.startswith(prefix + ".Value.")}
        items = "".join(
            f"<item><networkInterfaceId>eni-{i:017x}</networkInterfaceId><description>{escape(eni['description'])}"
            f"</description><privateIpAddress>{eni['address']}</privateIpAddress><interfaceType>gateway_load_balancer"
            f"</interfaceType></item>"
            for i, eni in enumerate(CONFIG["enis"]) if not filters or eni["description"] in wanted)
        answer(self, 200, '<?xml version="1.0" encoding="UTF-8"?><DescribeNetworkInterfacesResponse '
               'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>stand-in</requestId>'
               f"<networkInterfaceSet>{items}</networkInterfaceSet></DescribeNetworkInterfacesResponse>",
               "text/xml;charset=UTF-8")

    def do_GET(self):
        host = self.headers.get("Host", "")
        path = CONFIG["objects"].get(host + self.path)
        record({"service": "s3", "host": host, "path": self.path, "found": path is not None})
        if path is None:
            return answer(self, 404, "NoSuchKey")
        answer(self, 200, open(path, "rb").read(), "application/octet-stream")

    def log_message(self, *args):
        pass


imds = http.server.ThreadingHTTPServer(("169.254.169.254", 80), Imds)
aws = http.server.ThreadingHTTPServer((CONFIG["awsAddress"], 443), Aws)
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls.load_cert_chain(CONFIG["certificate"], CONFIG["key"])
aws.socket = tls.wrap_socket(aws.socket, server_side=True)
threading.Thread(target=imds.serve_forever, daemon=True).start()
print("stand-ins ready", flush=True)
aws.serve_forever()
