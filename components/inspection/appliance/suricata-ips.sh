#!/bin/bash
# inspected-api default appliance: Suricata in IPS mode behind a Gateway Load Balancer, on Debian 13.
# A template: components/inspection/appliance/userData.ts fills every double-braced placeholder at deploy time.
# npm run test:appliance boots it under cloud-init and systemd in a Debian 13 container with live GENEVE traffic.
#
# Packet path: GWLB --GENEVE/6081--> this host --DNAT back to the sending GWLB ENI--> FORWARD --NFQUEUE--> Suricata
# --verdict--> MASQUERADE --> GWLB. Without a Suricata verdict nothing is forwarded: the queue has no bypass.
set -euo pipefail
# Command substitutions fail the script too: a failed token fetch must not become an empty token.
shopt -s inherit_errexit
exec > >(tee -a /var/log/inspected-api-boot.log) 2>&1

readonly GENEVE_PORT='{{GENEVE_PORT}}'
readonly HEALTH_PORT='{{HEALTH_PORT}}'
readonly HEALTH_PATH='{{HEALTH_PATH}}'
readonly GWLB_ENI_DESCRIPTION='{{GWLB_ENI_DESCRIPTION}}'
readonly ALERTS_LOG_GROUP='{{ALERTS_LOG_GROUP}}'
readonly HOME_NET='{{HOME_NET}}'
readonly HTTP_PORTS='{{HTTP_PORTS}}'
readonly RULE_URLS='{{RULE_URLS}}'
readonly APPLIANCE_PACKAGES=(suricata suricata-update python3-boto3 iptables acl curl ca-certificates logrotate)

# A file, not a function: the boot below and the units it installs share it. First boot races apt's own timers for
# the dpkg lock, and networks and AWS endpoints answer late.
cat > /usr/local/sbin/retry <<'EOF'
#!/bin/bash
# retry COMMAND [ARG...]: up to five attempts, RETRY_DELAY_SECONDS (10) times the attempt number apart.
set -uo pipefail
step=${RETRY_DELAY_SECONDS:-10}
for attempt in 1 2 3 4 5; do
    "$@" && exit 0
    status=$?
    [ "${attempt}" -eq 5 ] && break
    echo "retry: attempt ${attempt} of '$*' failed (exit ${status}); next in $((attempt * step)) s" >&2
    sleep $((attempt * step))
done
echo "retry: '$*' failed 5 times" >&2
exit "${status}"
EOF
chmod 0755 /usr/local/sbin/retry

imds() {
    local token
    token=$(retry curl -sSf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
    retry curl -sSf -H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/meta-data/$1"
}
REGION=$(imds placement/region)
readonly REGION

export DEBIAN_FRONTEND=noninteractive
retry apt-get -o DPkg::Lock::Timeout=300 update -q
retry apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${APPLIANCE_PACKAGES[@]}"
# The package's own unit sniffs in IDS mode (and dpkg just started it); only the inline one may run.
systemctl disable --now suricata.service
systemctl mask suricata.service

# Read by systemd (EnvironmentFile) and sourced by bash: every value double-quoted.
install -d -m 0755 /etc/inspected-api
cat > /etc/inspected-api/appliance.env <<EOF
GENEVE_PORT="${GENEVE_PORT}"
HEALTH_PORT="${HEALTH_PORT}"
HEALTH_PATH="${HEALTH_PATH}"
GWLB_ENI_DESCRIPTION="${GWLB_ENI_DESCRIPTION}"
RULE_URLS="${RULE_URLS}"
REGION="${REGION}"
SURICATA_QUEUES="$(seq 0 $(($(nproc) - 1)) | sed 's/^/-q /' | tr '\n' ' ' | sed 's/ $//')"
EOF

# appliance-event TYPE MESSAGE: a JSON line the CloudWatch agent ships to the alerts group, where a metric filter
# alarms on it. Callers pass fixed messages without quotes.
cat > /usr/local/sbin/appliance-event <<'EOF'
#!/bin/bash
set -euo pipefail
install -d -m 0755 /var/log/inspected-api
printf '{"timestamp":"%s","event_type":"%s","message":"%s"}\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$1" "$2" \
    >> /var/log/inspected-api/events.json
echo "appliance-event: $1: $2" >&2
EOF
chmod 0755 /usr/local/sbin/appliance-event

# AWS's agents are not in Debian's archive, and Debian's AMIs ship neither: SSM (management without SSH) and the
# CloudWatch agent (alerts and appliance events to the alerts log group), from AWS's regional buckets. AWS builds
# the CloudWatch agent for Debian on amd64 only; its Ubuntu package is the same binary, for amd64 and arm64 alike.
install_aws_agent() {
    local deb
    deb=$(mktemp --suffix=.deb)
    retry curl -sSfo "${deb}" "$1"
    chmod 0644 "${deb}"
    retry apt-get -o DPkg::Lock::Timeout=300 install -y -q "${deb}"
    rm -f "${deb}"
}
arch=$(dpkg --print-architecture)
install_aws_agent "https://s3.${REGION}.amazonaws.com/amazon-ssm-${REGION}/latest/debian_${arch}/amazon-ssm-agent.deb"
install_aws_agent "https://amazoncloudwatch-agent-${REGION}.s3.${REGION}.amazonaws.com/ubuntu/${arch}/latest/amazon-cloudwatch-agent.deb"
# Suricata's logs hold the API's HTTP metadata: root and the agent only.
install -d -m 0750 /var/log/suricata /var/log/inspected-api
setfacl -m u:cwagent:rx /var/log/suricata /var/log/inspected-api
setfacl -d -m u:cwagent:r /var/log/suricata /var/log/inspected-api
cat > /opt/aws/amazon-cloudwatch-agent/etc/inspected-api.json <<EOF
{
  "agent": { "run_as_user": "cwagent" },
  "logs": {
    "logs_collected": {
      "files": {
        "collect_list": [
          {
            "file_path": "/var/log/suricata/eve.json",
            "log_group_name": "${ALERTS_LOG_GROUP}",
            "log_stream_name": "{instance_id}",
            "filters": [{ "type": "include", "expression": "\"event_type\":\"alert\"" }]
          },
          {
            "file_path": "/var/log/inspected-api/events.json",
            "log_group_name": "${ALERTS_LOG_GROUP}",
            "log_stream_name": "{instance_id}-events"
          }
        ]
      }
    }
  }
}
EOF
# Started before anything below can fail, so a failed first rules fetch reaches the alarm too.
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
    -c file:/opt/aws/amazon-cloudwatch-agent/etc/inspected-api.json

# Loaded now if it is a module (built into some kernels); listed so a reboot loads it before systemd-sysctl runs.
echo nf_conntrack > /etc/modules-load.d/inspected-api.conf
modprobe nf_conntrack || [ -d /proc/sys/net/netfilter ]
# Forwarding is not switched on here: gwlb-hairpin does it, after it has made DROP the forward chain's policy, at
# every boot.
cat > /etc/sysctl.d/60-inspected-api.conf <<'EOF'
net.netfilter.nf_conntrack_max = 262144
EOF
# A tuning, not a condition of inspecting: a kernel that refuses it (a container's, say) leaves the default.
sysctl -w net.netfilter.nf_conntrack_max=262144 || echo "warning: nf_conntrack_max left at $(sysctl -n net.netfilter.nf_conntrack_max)" >&2

# The hairpin: a GENEVE packet from any GWLB ENI (every AZ's, since cross-zone is on) goes back to that ENI. The ENI
# IPs come from the EC2 API; a timer re-reads them so an AZ added later is served without replacing instances.
cat > /usr/local/sbin/gwlb-hairpin <<'EOF'
#!/bin/bash
set -euo pipefail
# shellcheck source=/dev/null
. "${APPLIANCE_ENV:-/etc/inspected-api/appliance.env}"
# /run is a tmpfs: recreated after every reboot.
state="${HAIRPIN_STATE_DIR:-/run/gwlb-hairpin}"
mkdir -p "${state}"
token=$(curl -sSf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60')
self=$(curl -sSf -H "X-aws-ec2-metadata-token: ${token}" http://169.254.169.254/latest/meta-data/local-ipv4)
queues=$(($(nproc) - 1))
ips=$(python3 - "${GWLB_ENI_DESCRIPTION}" "${REGION}" <<'PY'
import sys
import boto3
description, region = sys.argv[1], sys.argv[2]
pages = boto3.client("ec2", region_name=region).get_paginator("describe_network_interfaces").paginate(
    Filters=[{"Name": "description", "Values": [description]}])
print("\n".join(sorted({eni["PrivateIpAddress"] for page in pages for eni in page["NetworkInterfaces"]})))
PY
)
if [ -z "${ips}" ]; then
    echo "gwlb-hairpin: no ENI described '${GWLB_ENI_DESCRIPTION}' yet" >&2
    exit 1
fi
# Static rules: forward only what was DNATed here, every such packet through Suricata, nothing else. Forwarding
# goes on only once that policy holds.
iptables -P FORWARD DROP
iptables -C FORWARD -p udp --dport "${GENEVE_PORT}" -m conntrack --ctstate DNAT -j NFQUEUE --queue-balance "0:${queues}" --queue-cpu-fanout 2>/dev/null \
    || iptables -A FORWARD -p udp --dport "${GENEVE_PORT}" -m conntrack --ctstate DNAT -j NFQUEUE --queue-balance "0:${queues}" --queue-cpu-fanout
iptables -t nat -C POSTROUTING -p udp --dport "${GENEVE_PORT}" -m conntrack --ctstate DNAT -j MASQUERADE 2>/dev/null \
    || iptables -t nat -A POSTROUTING -p udp --dport "${GENEVE_PORT}" -m conntrack --ctstate DNAT -j MASQUERADE
iptables -t nat -N GWLB_HAIRPIN 2>/dev/null || true
iptables -t nat -C PREROUTING -p udp --dport "${GENEVE_PORT}" -j GWLB_HAIRPIN 2>/dev/null \
    || iptables -t nat -A PREROUTING -p udp --dport "${GENEVE_PORT}" -j GWLB_HAIRPIN
# Rewritten only when the ENI set changed, so a steady fleet never has a window without the rules.
sysctl -qw net.ipv4.ip_forward=1
if [ "${ips}" != "$(cat "${state}/ips" 2>/dev/null || true)" ]; then
    iptables -t nat -F GWLB_HAIRPIN
    for ip in ${ips}; do
        iptables -t nat -A GWLB_HAIRPIN -p udp -s "${ip}" -d "${self}" --dport "${GENEVE_PORT}" -j DNAT --to-destination "${ip}:${GENEVE_PORT}"
    done
    printf '%s\n' "${ips}" > "${state}/ips"
fi
EOF
chmod 0755 /usr/local/sbin/gwlb-hairpin

cat > /etc/systemd/system/gwlb-hairpin.service <<'EOF'
[Unit]
Description=GENEVE hairpin to every Gateway Load Balancer ENI
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/gwlb-hairpin
Restart=on-failure
RestartSec=10

[Install]
WantedBy=multi-user.target
EOF
cat > /etc/systemd/system/gwlb-hairpin.timer <<'EOF'
[Unit]
Description=Re-read the Gateway Load Balancer ENIs

[Timer]
OnBootSec=1min
OnUnitActiveSec=5min

[Install]
WantedBy=timers.target
EOF

# Suricata inline on NFQUEUE: GENEVE decoded on its port, flows picked up mid-stream (target failover rehashes
# live flows onto this host), and the queue fails closed when full rather than passing packets unseen. The
# inspected clients (VPC link ENIs) live in private space too, so EXTERNAL_NET is "any": with the default
# "!$HOME_NET", inbound-attack rules would never match them. The workers run mode gives each queue its own
# thread: the default autofp loses benign packets in NFQUEUE re-injection; batched verdicts (batchcount) save a
# syscall per packet in that mode. These settings live in a config file,
# not in --set flags: a rule reload re-reads the config file and would drop --set values (HTTP_PORTS among them).
python3 - "${HOME_NET}" "${HTTP_PORTS}" "${GENEVE_PORT}" <<'PY'
import sys
import yaml
home_net, http_ports, geneve_port = sys.argv[1:]
overrides = {
    "runmode": "workers",
    "vars": {"address-groups": {"HOME_NET": home_net, "EXTERNAL_NET": "any"}, "port-groups": {"HTTP_PORTS": http_ports}},
    "decoder": {"geneve": {"enabled": True, "ports": int(geneve_port)}},
    "nfq": {"mode": "accept", "fail-open": False, "batchcount": 20},
    "stream": {"midstream": True},
}


def merge(base, over):
    for key, value in over.items():
        base[key] = merge(base.get(key) or {}, value) if isinstance(value, dict) else value
    return base


with open("/etc/suricata/suricata.yaml") as packaged:
    config = merge(yaml.safe_load(packaged), overrides)
with open("/etc/suricata/inspected-api.yaml", "w") as out:
    yaml.safe_dump(config, out, explicit_start=True, version=(1, 1), sort_keys=False)
PY
# No pid file: systemd tracks the process, and a pid file left by a crash would make every restart abort.
cat > /etc/systemd/system/suricata-ips.service <<'EOF'
[Unit]
Description=Suricata IPS (NFQUEUE) for the Gateway Load Balancer
# Independent of gwlb-hairpin: a restart after a crash must not wait for the EC2 API.

[Service]
Type=simple
EnvironmentFile=/etc/inspected-api/appliance.env
ExecStart=/usr/bin/suricata -c /etc/suricata/inspected-api.yaml $SURICATA_QUEUES -S /var/lib/suricata/rules/suricata.rules
ExecReload=/bin/kill -USR2 $MAINPID
Restart=always
RestartSec=5
# It parses hostile traffic as root: no new privileges, the system read-only, and no capability beyond the queues'.
NoNewPrivileges=yes
ProtectSystem=full
ProtectHome=yes
PrivateTmp=yes
CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_SYS_NICE CAP_IPC_LOCK

[Install]
WantedBy=multi-user.target
EOF
# The packaged logrotate stanza signals a pid file nothing writes, and copytruncate loses lines: it is diverted out
# of logrotate's way (so package upgrades never prompt over it) and this one, which tells Suricata to reopen its
# files, runs every hour, so the size limit holds between Debian's daily logrotate runs.
dpkg-divert --local --rename --divert /etc/suricata/logrotate.packaged --add /etc/logrotate.d/suricata
cat > /etc/inspected-api/logrotate-suricata.conf <<'EOF'
/var/log/suricata/*.log /var/log/suricata/*.json {
    daily
    rotate 7
    maxsize 500M
    missingok
    notifempty
    compress
    delaycompress
    sharedscripts
    postrotate
        /bin/systemctl kill --signal=HUP --kill-whom=main suricata-ips.service
    endscript
}
EOF
cat > /etc/systemd/system/suricata-logrotate.service <<'EOF'
[Unit]
Description=Rotate Suricata's logs by day or at 500 MB

[Service]
Type=oneshot
ExecStart=/usr/sbin/logrotate --state /var/lib/logrotate/suricata.status /etc/inspected-api/logrotate-suricata.conf
EOF
cat > /etc/systemd/system/suricata-logrotate.timer <<'EOF'
[Unit]
Description=Hourly check of Suricata's log sizes

[Timer]
OnCalendar=hourly
Persistent=true

[Install]
WantedBy=timers.target
EOF

# ET Open (or the sources RULE_URLS names), with the categories whose hits are attacks turned from alert into
# drop, plus a self-test rule.
install -d -m 0755 /etc/suricata/rules
cat > /etc/suricata/drop.conf <<'EOF'
group:emerging-exploit.rules
group:emerging-web_server.rules
group:emerging-web_specific_apps.rules
group:emerging-sql.rules
group:emerging-shellcode.rules
group:emerging-malware.rules
group:emerging-worm.rules
group:emerging-coinminer.rules
re:classtype:trojan-activity
EOF
cat > /etc/suricata/rules/inspected-api.rules <<'EOF'
drop http any any -> any any (msg:"inspected-api IPS self-test"; flow:to_server,established; http.header; content:"X-Inspected-Api-Test|3a 20|drop"; nocase; classtype:policy-violation; sid:9100001; rev:1;)
EOF
# --fail: a source that cannot be fetched fails the update and keeps the previous rules; without it suricata-update
# exits 0 with a rule set that silently lost them. --force: fetch even if the last download is under 15 minutes old,
# so a refresh started by hand fetches too. --no-test: a second full rule load beside the running engine
# can exhaust a small instance; Suricata checks each rule as it loads it, and skips a bad one.
cat > /usr/local/sbin/suricata-rules-update <<'EOF'
#!/bin/bash
set -euo pipefail
# shellcheck source=/dev/null
. /etc/inspected-api/appliance.env
sources=()
for url in ${RULE_URLS}; do
    sources+=(--url "${url}")
done
if ! retry suricata-update --no-test --fail --force --drop-conf /etc/suricata/drop.conf \
    --local /etc/suricata/rules/inspected-api.rules "${sources[@]}"; then
    appliance-event rules_update_failed "a rule source could not be fetched; the rules stay as they were"
    exit 1
fi
EOF
chmod 0755 /usr/local/sbin/suricata-rules-update
cat > /etc/systemd/system/suricata-rules-update.service <<'EOF'
[Unit]
Description=Refresh the Suricata rules (ET Open) and reload them without dropping flows

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/suricata-rules-update
ExecStartPost=/bin/systemctl try-reload-or-restart suricata-ips.service
EOF
cat > /etc/systemd/system/suricata-rules-update.timer <<'EOF'
[Unit]
Description=Daily Suricata rule refresh

[Timer]
OnCalendar=daily
RandomizedDelaySec=1h
Persistent=true

[Install]
WantedBy=timers.target
EOF
# Rules exist before Suricata first starts; without them the boot fails and the instance never turns healthy.
/usr/local/sbin/suricata-rules-update

# Healthy means the IPS is in the path: Suricata active, bound to every queue, and the hairpin knows an ENI.
cat > /usr/local/sbin/appliance-health <<'EOF'
#!/usr/bin/python3
import http.server
import os
import socketserver
import subprocess

PORT, PATH = int(os.environ["HEALTH_PORT"]), os.environ["HEALTH_PATH"]
QUEUES = set(range(os.cpu_count() or 1))
BOUND_QUEUES = os.environ.get("NFQUEUE_STATE", "/proc/net/netfilter/nfnetlink_queue")
HAIRPIN_IPS = os.environ.get("HAIRPIN_IPS", "/run/gwlb-hairpin/ips")


def healthy():
    if subprocess.run(["systemctl", "is-active", "--quiet", "suricata-ips.service"]).returncode != 0:
        return False
    with open(BOUND_QUEUES) as bound:
        if not QUEUES <= {int(line.split()[0]) for line in bound if line.strip()}:
            return False
    with open(HAIRPIN_IPS) as ips:
        return bool(ips.read().strip())


class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != PATH:
            self.send_error(404)
            return
        try:
            ok = healthy()
        except OSError:
            ok = False
        self.send_response(200 if ok else 503)
        self.end_headers()
        self.wfile.write(b"ok\n" if ok else b"ips not in path\n")

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    def server_bind(self):
        # HTTPServer's own bind looks its host name up in DNS first: no listener until DNS answers or times out.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "appliance", PORT


Server(("", PORT), Health).serve_forever()
EOF
chmod 0755 /usr/local/sbin/appliance-health
cat > /etc/systemd/system/appliance-health.service <<'EOF'
[Unit]
Description=Gateway Load Balancer health check: 200 only while the IPS is in the path
After=suricata-ips.service

[Service]
EnvironmentFile=/etc/inspected-api/appliance.env
ExecStart=/usr/local/sbin/appliance-health
# Root, because the queue bindings in /proc are readable by root alone (0440), but with no capability beyond
# binding a low port: it cannot override file permissions or touch the network stack.
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
EOF

systemctl daemon-reload
# Enabled first, so a reboot brings everything back; started without waiting, so a hairpin that needs a few
# retries (credentials, the EC2 API) never aborts the boot: its unit restarts it.
systemctl enable gwlb-hairpin.service gwlb-hairpin.timer suricata-ips.service suricata-rules-update.timer suricata-logrotate.timer appliance-health.service amazon-ssm-agent.service
systemctl start --no-block gwlb-hairpin.service gwlb-hairpin.timer suricata-ips.service suricata-rules-update.timer suricata-logrotate.timer appliance-health.service amazon-ssm-agent.service
echo "inspected-api appliance ready: health on :${HEALTH_PORT}${HEALTH_PATH}"
