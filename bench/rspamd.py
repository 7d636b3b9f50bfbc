"""The newsletter's spam score at a receiver running rspamd, with and without the sender's
authentication (DKIM, SPF, DMARC), beside a control: plain Bangla prose in the same envelope.

Everything runs offline on loopback:

- a throw-away copy of the demo site (SQLite in a temporary folder, production settings, BASE_URL
  https://news.example.org and the From address on that domain), three confirmed subscribers
  (English, Bangla, both) and a send of the demo issue, delivered by `manage.py db_worker --batch`
  through the production SMTP backend to an SMTP server in this script (aiosmtpd): the messages
  are the bytes a send puts on the wire, tracked links and Feedback-ID included;
- the sending relay's part: a Received header, and a DKIM signature (dkimpy, d=news.example.org,
  2048-bit RSA from `rspamadm dkim_keygen`) over the headers docs/deployment.md lists; the
  receiving server's: a Received header saying TLS was used (deployment.md asks it of the relay);
- an authoritative DNS server (dnslib) answering for news.example.org: the DKIM key, SPF
  (`v=spf1 ip4:192.0.2.25 -all`), DMARC (`v=DMARC1; p=quarantine`), the site's A and MX, the
  relay's A and PTR (forward-confirmed reverse DNS), and NXDOMAIN for every other name,
  blocklists included (nothing reaches the internet);
- rspamd (Debian's, `rspamd -f`) with its stock configuration and a temporary local
  configuration: that DNS server as its only resolver, no Redis, workers on free loopback ports.

Each message is scanned with `rspamc --ip 192.0.2.25 --helo ... --hostname ... --from ...
--rcpt ...` twice: without authentication (unsigned, and the DNS server has no SPF or DMARC
record, as the domain was before) and with it (signed, records published). The control is a
message with the Bangla edition's headers and subject and a plain-text body of a few sentences of
ordinary Bangla prose: what any Bangla e-mail from this sender gets, whatever its design.

Prints each message's score and every symbol that scored, then the table. Issue 20's target:
every edition under 2.0 with authentication.

    .venv/bin/python bench/rspamd.py        # needs rspamd (Debian package `rspamd`)
    KEEP=out/ .venv/bin/python bench/rspamd.py   # and keep the scanned messages as .eml
"""

import email
import email.policy
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import dkim
from aiosmtpd.controller import Controller
from dnslib import MX, PTR, QTYPE, RCODE, RR, TXT, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer
from pages import PYTHON, ROOT, free_port, wait_for

DOMAIN = "news.example.org"  # the site's (BASE_URL) and the From address's domain
SENDER = f"newsletter@{DOMAIN}"
RELAY, RELAY_IP = f"mail.{DOMAIN}", "192.0.2.25"  # the sending relay (TEST-NET-1)
SITE_IP = "192.0.2.80"  # the web site's address (news.example.org's A record)
RECEIVER = "mx.example.org"  # the recipients' mail server, which runs rspamd
SELECTOR = "news2026"
SPF = "v=spf1 ip4:192.0.2.25 -all"
DMARC = "v=DMARC1; p=quarantine"
READERS = {
    "en": "reader-en@example.org",
    "bn": "reader-bn@example.org",
    "both": "reader-both@example.org",
}
TARGET = 2.0
KEEP = os.environ.get("KEEP")  # a folder to keep the scanned messages in (.eml)
# What OpenDKIM is told to sign in docs/deployment.md, and the newsletter's other list headers.
SIGNED = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "List-Subscribe",
    "List-Id",
    "Feedback-ID",
    "MIME-Version",
    "Content-Type",
]
# The control: ordinary Bangla prose about the programme, as anyone might write it.
CONTROL_TEXT = """\
প্রিয় পাঠক,

বেটার ওয়ার্ক বাংলাদেশ দেশের পোশাক কারখানাগুলোতে কাজের পরিবেশ উন্নত করতে মালিক, শ্রমিক ও
সরকারের সঙ্গে একসাথে কাজ করে। গত বছর আমরা তিনশোর বেশি কারখানায় প্রশিক্ষণ ও পরামর্শ দিয়েছি।
শ্রমিকদের নিরাপত্তা, ন্যায্য মজুরি এবং নারী কর্মীদের নেতৃত্বের সুযোগ বাড়ানো আমাদের প্রধান লক্ষ্য।

আগামী মাসে ঢাকায় একটি আলোচনা সভা হবে। আপনার মতামত জানাতে এই ই-মেইলের উত্তর দিন।

শুভেচ্ছান্তে,
বেটার ওয়ার্ক বাংলাদেশ
"""

# Run in the site's environment: three confirmed readers and a send of the demo issue, started.
SEND = """
from django.utils import timezone
from newsletter import sending
from newsletter.models import NewsletterIssuePage, Subscriber
for language, address in READERS.items():
    Subscriber.objects.create(email=address, language=language, status="subscribed",
                              source="admin", confirmed_at=timezone.now())
issue = NewsletterIssuePage.objects.filter(locale__language_code="en").live().first()
send = sending.create_send(issue)
print(send.pk, send.state)
"""


class Outbox:
    """aiosmtpd handler: keeps every message as received, with its envelope."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.original_content))
        return "250 OK"


class Zone(BaseResolver):
    """news.example.org's records; NXDOMAIN for every other name. `authenticated` publishes SPF,
    DMARC and the DKIM key; `asked` keeps every question, to show what rspamd looked up."""

    def __init__(self, dkim_record):
        self.authenticated = False
        self.asked = set()
        ptr = ".".join(reversed(RELAY_IP.split("."))) + ".in-addr.arpa"
        self.always = {  # the site's address and mailbox, the relay's forward-confirmed rDNS
            (DOMAIN, "A"): A(SITE_IP),
            (DOMAIN, "MX"): MX(RELAY + "."),
            (RELAY, "A"): A(RELAY_IP),
            (ptr, "PTR"): PTR(RELAY + "."),
        }
        self.auth = {
            (DOMAIN, "TXT"): TXT(SPF),
            (f"_dmarc.{DOMAIN}", "TXT"): TXT(DMARC),
            # A TXT record's strings are 255 bytes at most: the key is cut into several.
            (f"{SELECTOR}._domainkey.{DOMAIN}", "TXT"): TXT(
                [dkim_record[i : i + 250] for i in range(0, len(dkim_record), 250)]
            ),
        }

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        self.asked.add(f"{qtype} {name}")
        records = {**self.always, **(self.auth if self.authenticated else {})}
        answer = records.get((name, qtype))
        if answer is not None:
            reply.add_answer(RR(request.q.qname, request.q.qtype, rdata=answer, ttl=60))
        elif not any(known == name for known, _type in records):
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


def site_env(workdir, smtp_port):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "website.settings.production",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": DOMAIN,
        "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}",
        "BASE_URL": f"https://{DOMAIN}",
        "DEFAULT_FROM_EMAIL": f"Better Work Bangladesh <{SENDER}>",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "VAR_DIR": str(workdir),
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "DEMO_PASSWORD": "bench-only-password",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("PYTHONPATH", "REDIS_URL", "ANYMAIL_ESP"):
        env.pop(name, None)
    return env


def manage(env, *args):
    out = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{out.stderr[-3000:]}")
    return out.stdout


def send_editions(workdir):
    """The demo issue sent to one reader of each language: {language: (mail from, bytes)}."""
    outbox = Outbox()
    smtp = Controller(outbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        env = site_env(workdir, smtp.port)
        for args in (
            ["compile_catalogues"],
            ["migrate", "-v0"],
            ["createcachetable"],
            ["collectstatic", "--no-input", "-v0"],
        ):
            manage(env, *args)
        manage(env, "load_demo")
        manage(env, "shell", "-c", f"READERS = {READERS!r}\n{SEND}")
        manage(env, "db_worker", "--batch", "--no-startup-delay")
    finally:
        smtp.stop()
    languages = {address: language for language, address in READERS.items()}
    editions = {languages[rcpt[0]]: (sender, data) for sender, rcpt, data in outbox.messages}
    if set(editions) != set(READERS):
        raise SystemExit(f"the send delivered {sorted(editions)}, not {sorted(READERS)}")
    return editions


def control_message(bangla):
    """Plain Bangla prose with the Bangla edition's headers (Subject included)."""
    source = email.message_from_bytes(bangla, policy=email.policy.SMTP)
    message = EmailMessage(policy=email.policy.SMTP)
    for name, value in source.items():
        if not name.lower().startswith(("content-", "mime-")) or name == "Content-Language":
            message[name] = value
    message.replace_header("To", READERS["bn"])
    message.replace_header("Message-ID", make_msgid(domain=DOMAIN))
    message.set_content(CONTROL_TEXT, charset="utf-8", cte="8bit")
    return message.as_bytes()


def relayed(data, key, sign):
    """The message as the receiver's rspamd sees it: the Received header of our relay (the
    worker hands it over on the relay's own host), signed by the relay if `sign`, then the
    receiving server's Received header (TLS, as docs/deployment.md asks of the relay)."""
    now = format_datetime(datetime.now(UTC))
    data = (
        f"Received: from localhost (localhost [127.0.0.1])\r\n\tby {RELAY} (Postfix) with ESMTP"
        f" id 4QBWB1xYz2\r\n\tfor <{email.message_from_bytes(data)['To']}>; {now}\r\n"
    ).encode() + data
    if sign:
        signature = dkim.sign(
            data,
            SELECTOR.encode(),
            DOMAIN.encode(),
            key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=[name.lower().encode() for name in SIGNED],
        )
        data = signature + data
    return (
        f"Received: from {RELAY} ({RELAY} [{RELAY_IP}])\r\n\t(using TLSv1.3 with cipher "
        f"TLS_AES_256_GCM_SHA384 (256/256 bits))\r\n\tby {RECEIVER} (Postfix) with ESMTPS id "
        f"4QBWB2Hk7s; {now}\r\n"
    ).encode() + data


def dkim_key(workdir):
    """A 2048-bit RSA key made by rspamd's own tool: (private key PEM, the DNS record's text)."""
    path = workdir / "dkim.key"
    out = subprocess.run(
        ["rspamadm", "dkim_keygen", "-b", "2048", "-s", SELECTOR, "-d", DOMAIN, "-k", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    record = "".join(re.findall(r'"([^"]*)"', out))
    return path.read_bytes(), record


RSPAMD_LOCAL = {
    "options.inc": 'dns {{ nameserver = ["127.0.0.1:{dns}"]; timeout = 2s; retransmits = 2; }}\n',
    "logging.inc": 'type = "file"; filename = "{dir}/rspamd.log"; level = "info";\n',
    "worker-normal.inc": 'bind_socket = "127.0.0.1:{normal}"; count = 1;\n',
    "worker-controller.inc": 'bind_socket = "127.0.0.1:{controller}"; count = 1;\n',
    "worker-proxy.inc": 'bind_socket = "127.0.0.1:{proxy}"; count = 1;\n',
    "worker-fuzzy.inc": "count = -1;\n",
}


def start_rspamd(workdir, dns_port):
    """rspamd in the foreground with the stock configuration and our local.d; its port."""
    folder = workdir / "rspamd"
    for sub in ("local.d", "db", "run", "log"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    ports = {
        "dns": dns_port,
        "dir": folder / "log",
        "normal": free_port(),
        "controller": free_port(),
        "proxy": free_port(),
    }
    for name, text in RSPAMD_LOCAL.items():
        (folder / "local.d" / name).write_text(text.format(**ports))
    command = [
        shutil.which("rspamd") or "rspamd",
        "-f",
        "-c",
        "/etc/rspamd/rspamd.conf",
        f"--var=LOCAL_CONFDIR={folder}",
        f"--var=DBDIR={folder / 'db'}",
        f"--var=RUNDIR={folder / 'run'}",
        f"--var=LOGDIR={folder / 'log'}",
    ]
    if os.geteuid() == 0:
        command.append("-i")  # its workers as root: only ever on this throw-away loopback setup
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(ports["normal"], timeout=120)
    except RuntimeError:
        process.terminate()
        log = (folder / "log" / "rspamd.log").read_text(errors="replace")[-3000:]
        raise SystemExit(f"rspamd did not start; its log ends:\n{log}") from None
    return process, ports["normal"]


def scan(port, data, mail_from, rcpt):
    out = subprocess.run(
        [
            "rspamc",
            "-h",
            f"127.0.0.1:{port}",
            "-j",
            "-t",
            "30",
            "--ip",
            RELAY_IP,
            "--helo",
            RELAY,
            "--hostname",
            RELAY,
            "--from",
            mail_from,
            "--rcpt",
            rcpt,
        ],
        input=data,
        capture_output=True,
        check=True,
    )
    result = json.loads(out.stdout)
    symbols = {
        name: (symbol["score"], symbol.get("options", []))
        for name, symbol in result["symbols"].items()
    }
    return result["score"], symbols


def main():
    if not shutil.which("rspamd") or not shutil.which("rspamc"):
        raise SystemExit("rspamd is not installed (Debian package 'rspamd')")
    workdir = Path(tempfile.mkdtemp(prefix="bwb-bench-rspamd-"))
    dns_server = rspamd = None
    try:
        print("Sending the demo issue to one reader of each language...", flush=True)
        editions = send_editions(workdir)
        key, record = dkim_key(workdir)
        messages = {
            "English": (*editions["en"], READERS["en"]),
            "Bangla": (*editions["bn"], READERS["bn"]),
            "bilingual": (*editions["both"], READERS["both"]),
            "control (Bangla prose)": (
                editions["bn"][0],
                control_message(editions["bn"][1]),
                READERS["bn"],
            ),
        }
        zone = Zone(record)
        dns_port = free_port(socket.SOCK_DGRAM)
        dns_server = DNSServer(
            zone, port=dns_port, address="127.0.0.1", logger=DNSLogger("-request,-reply")
        )
        dns_server.start_thread()
        rspamd, port = start_rspamd(workdir, dns_port)
        version = subprocess.run(["rspamd", "--version"], capture_output=True, text=True).stdout
        print(f"{version.strip()}, stock configuration, DNS on loopback only\n")
        table = {}
        for authenticated in (False, True):
            zone.authenticated = authenticated
            label = "with DKIM, SPF, DMARC" if authenticated else "without authentication"
            for name, (mail_from, data, rcpt) in messages.items():
                data = relayed(data, key, authenticated)
                if KEEP:
                    stem = f"{name.split()[0]}-{'auth' if authenticated else 'noauth'}.eml"
                    Path(KEEP).mkdir(parents=True, exist_ok=True)
                    (Path(KEEP) / stem).write_bytes(data)
                score, symbols = scan(port, data, mail_from, rcpt)
                table[name, authenticated] = score
                print(f"{name}, {label}: {score:.2f} ({len(data):,} bytes)")
                for symbol, (points, options) in sorted(symbols.items(), key=lambda s: -s[1][0]):
                    if points:
                        detail = f"  [{', '.join(map(str, options))[:70]}]" if options else ""
                        print(f"  {points:+6.2f} {symbol}{detail}")
                print()
        print(f"{'':<24} {'no auth':>8} {'DKIM+SPF+DMARC':>15}")
        for name in messages:
            print(f"{name:<24} {table[name, False]:>8.2f} {table[name, True]:>15.2f}")
        worst = max(table[name, True] for name in ("English", "Bangla", "bilingual"))
        print(
            f"target (issue 20): every edition < {TARGET} with authentication: "
            f"{'met' if worst < TARGET else 'NOT met'} (highest {worst:.2f})"
        )
        ours = sorted(q for q in zone.asked if q.split()[1].endswith(DOMAIN))
        others = len(zone.asked) - len(ours)
        print(
            f"rspamd asked the DNS server {', '.join(ours)}, and {others} other names "
            "(blocklists, rspamd.com's services; all NXDOMAIN)"
        )
    finally:
        if rspamd is not None:
            rspamd.terminate()
            rspamd.wait(timeout=30)
        if dns_server is not None:
            dns_server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
