#!/usr/bin/python3
"""Plays the Gateway Load Balancer for the boot test and the bench: GENEVE to an appliance, and back.

Each inner packet goes out as AWS's GWLB sends it (UDP to 6081, GENEVE with protocol IPv4 and AWS's option TLVs of
class 0x0108: endpoint id, attachment id, flow cookie) from a per-flow source port, and must come back to this
address on 6081 with the GENEVE payload byte for byte.

    geneve.py session --gwlb ADDR --appliance ADDR    JSON commands on stdin, one JSON answer per line
    geneve.py bench --gwlb ADDR --appliance ADDR ...  closed-loop load; prints one JSON result
"""
import argparse
import json
import os
import random
import select
import socket
import statistics
import struct
import sys
import time

from scapy.all import IP, TCP, UDP, Raw  # noqa: E402

GENEVE_PORT = 6081
AWS_OPTION_CLASS = 0x0108


def tlv(kind, data):
    return struct.pack("!HBB", AWS_OPTION_CLASS, kind, len(data) // 4) + data


def geneve(inner, cookie):
    options = tlv(1, os.urandom(8)) + tlv(2, os.urandom(8)) + tlv(3, struct.pack("!I", cookie))
    return struct.pack("!BBHI", len(options) // 4, 0, 0x0800, 0) + options + inner


class Gwlb:
    def __init__(self, gwlb, appliance, timeout):
        self.appliance = appliance
        self.timeout = timeout
        self.inbox = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.inbox.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.inbox.bind((gwlb, GENEVE_PORT))
        self.gwlb = gwlb
        self.outboxes = {}
        self.early = []

    def outbox(self, flow):
        """One outer source port per flow, as the GWLB hashes a flow onto one."""
        if flow not in self.outboxes:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
            s.bind((self.gwlb, 0))
            self.outboxes[flow] = s
        return self.outboxes[flow]

    def roundtrip(self, flow, inner, cookie=1):
        """Sends one inner packet; whether it came back, and whether byte for byte."""
        payload = geneve(inner, cookie)
        self.outbox(flow).sendto(payload, (self.appliance, GENEVE_PORT))
        deadline = time.monotonic() + self.timeout
        while True:
            if payload in self.early:
                self.early.remove(payload)
                return {"returned": True, "identical": True}
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.inbox], [], [], left)[0]:
                return {"returned": False, "identical": False}
            data, (source, port) = self.inbox.recvfrom(65535)
            if data == payload:
                return {"returned": True, "identical": True, "from": source}
            if data[len(data) - len(inner):] == inner:
                return {"returned": True, "identical": False, "from": source}
            self.early.append(data)


class TcpFlow:
    """An inner TCP flow between a client and a service, both sides played here, every packet through the appliance."""

    def __init__(self, gwlb, client, server, sport, dport):
        self.gwlb, self.client, self.server, self.sport, self.dport = gwlb, client, server, sport, dport
        self.cseq, self.sseq = random.randrange(1 << 31), random.randrange(1 << 31)
        self.name = f"{client}:{sport}>{server}:{dport}"

    def send(self, to_server, flags, data=b""):
        if to_server:
            packet = IP(src=self.client, dst=self.server) / TCP(sport=self.sport, dport=self.dport, flags=flags, seq=self.cseq, ack=self.sseq, window=65535)
        else:
            packet = IP(src=self.server, dst=self.client) / TCP(sport=self.dport, dport=self.sport, flags=flags, seq=self.sseq, ack=self.cseq, window=65535)
        if data:
            packet = packet / Raw(data)
        result = self.gwlb.roundtrip(self.name, bytes(packet))
        advance = len(data) + (1 if "S" in flags or "F" in flags else 0)
        if to_server:
            self.cseq = (self.cseq + advance) % (1 << 32)
        else:
            self.sseq = (self.sseq + advance) % (1 << 32)
        return result

    def handshake(self):
        return [self.send(True, "S"), self.send(False, "SA"), self.send(True, "A")]

    def request(self, path, headers):
        agent = [] if any(h.lower().startswith("user-agent:") for h in headers) else ["User-Agent: inspected-api-boot-test"]
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.server}:{self.dport}", *agent, *headers]
        return [self.send(True, "PA", ("\r\n".join(lines) + "\r\n\r\n").encode())]

    def response(self):
        body = b'{"id":"1","name":"rex"}'
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        return [self.send(False, "PA", head + body), self.send(True, "A")]


def session(args):
    gwlb = Gwlb(args.gwlb, args.appliance, args.timeout)
    flows = {}
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        if op == "open":
            flows[command["flow"]] = TcpFlow(gwlb, command["client"], command["server"], command["sport"], command["dport"])
            results = []
        else:
            flow = flows[command["flow"]]
            results = {
                "handshake": lambda: flow.handshake(),
                "request": lambda: flow.request(command.get("path", "/"), command.get("headers", [])),
                "response": lambda: flow.response(),
            }[op]()
        print(json.dumps(results), flush=True)


def bench(args):
    """Keeps `window` benign inner UDP packets in flight over `flows` outer flows for `seconds`: the rate at which
    they come back, none lost, and each one's round trip."""
    gwlb = Gwlb(args.gwlb, args.appliance, args.timeout)
    packets = []
    for flow in range(args.flows):
        inner = bytes(IP(src=f"10.10.{flow // 250}.{flow % 250 + 1}", dst="10.0.2.30") / UDP(sport=40000 + flow, dport=8125) / Raw(b"\0" * args.size))
        packets.append((gwlb.outbox(flow), geneve(inner, flow)))
    gwlb.inbox.setblocking(False)
    seq_offset = len(packets[0][1]) - args.size
    sent = returned = 0
    in_flight = {}
    rtts = []
    target = (args.appliance, GENEVE_PORT)
    start = time.monotonic()
    end = start + args.seconds
    while True:
        now = time.monotonic()
        while len(in_flight) < args.window and now < end:
            sock, payload = packets[sent % len(packets)]
            tagged = payload[:seq_offset] + struct.pack("!Q", sent) + payload[seq_offset + 8:]
            sock.sendto(tagged, target)
            in_flight[sent] = time.monotonic()
            sent += 1
        if not in_flight:
            break
        if not select.select([gwlb.inbox], [], [], args.timeout)[0]:
            break
        # Drain everything that has come back: one select per batch, not per packet, keeps the sender off the
        # critical path as far as one Python process can.
        while True:
            try:
                data = gwlb.inbox.recv(65535)
            except BlockingIOError:
                break
            seq = struct.unpack("!Q", data[seq_offset:seq_offset + 8])[0]
            if seq in in_flight:
                rtts.append(time.monotonic() - in_flight.pop(seq))
                returned += 1
    elapsed = time.monotonic() - start
    rtts.sort()
    print(json.dumps({
        "sent": sent, "returned": returned, "lost": sent - returned, "seconds": elapsed,
        "pps": returned / elapsed, "mbps": returned * len(packets[0][1]) * 8 / elapsed / 1e6,
        "p50_us": statistics.median(rtts) * 1e6 if rtts else None,
        "p99_us": rtts[int(len(rtts) * 0.99) - 1] * 1e6 if rtts else None,
    }))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["session", "bench"])
    parser.add_argument("--gwlb", required=True)
    parser.add_argument("--appliance", required=True)
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--window", type=int, default=32)
    parser.add_argument("--flows", type=int, default=64)
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args()
    session(args) if args.mode == "session" else bench(args)


if __name__ == "__main__":
    main()
