"""How many mails does `kill -9` of the mail worker deliver twice, and how late are the others?

Run by hand, never in the suite:

    .venv/bin/python bench/outbox/kill9.py [--mails 300] [--kills 15] [--database URL]

A real SMTP server (aiosmtpd, 50 ms per message by default) runs in this process; the
worker is the real command `flask outbox send --loop` in a child process, killed with
SIGKILL at random moments
and restarted at once. The claim lasts OUTBOX_CLAIM_SECONDS=3 here (2 minutes by default),
so the run is short. It prints the mails received, the distinct Message-IDs, the duplicates
(each must repeat its row's Message-ID) and the time until every row was sent.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


class Sink:
    def __init__(self, latency: float):
        self.ids: list[str] = []
        self.lock = threading.Lock()
        self.latency = latency

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.latency)
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.ids.append(msg["Message-ID"])
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=300)
    parser.add_argument("--kills", type=int, default=15)
    parser.add_argument("--database", default="")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency", type=float, default=0.05, help="SMTP seconds per mail")
    args = parser.parse_args()
    random.seed(args.seed)

    from aiosmtpd.controller import Controller

    sink, port = Sink(args.latency), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    url = args.database or f"sqlite:///{Path(tempfile.mkdtemp()) / 'kill9.db'}"
    env = {**os.environ, "DATABASE_URL": url, "NETWORK_ENV": "development",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(port), "OUTBOX_CLAIM_SECONDS": "3",
           "OUTBOX_BATCH_SIZE": "1000", "SITE_URL": "http://localhost"}
    os.environ.update(env)

    from sqlalchemy import func, select

    from network import create_app
    from network.extensions import db
    from network.outbox import services
    from network.outbox.models import OutboxMessage, OutboxStatus

    app = create_app("development")
    with app.app_context():
        db.drop_all()
        db.create_all()
        for i in range(args.mails):
            services.enqueue(f"dest{i}@example.org", "email_change_notice",
                             subject=f"Message {i}",
                             context={"user": {"name": f"Dest {i}"}, "new_email": "x@ex.org"})
        db.session.commit()
        rows = dict(db.session.execute(select(OutboxMessage.message_id, OutboxMessage.id)).all())

    command = [sys.executable, "-m", "flask", "--app", "network", "outbox", "send", "--loop",
               "--interval", "0.2"]
    start = time.monotonic()
    for _ in range(args.kills):
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        time.sleep(random.uniform(2.5, 5.5))  # start-up takes 1 to 2.5 s on this machine
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    with sink.lock:
        during = len(sink.ids)
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    with app.app_context():
        while True:
            db.session.remove()
            left = db.session.scalar(select(func.count(OutboxMessage.id)).where(
                OutboxMessage.status != OutboxStatus.SENT))
            if left == 0:
                break
            time.sleep(0.2)
    elapsed = time.monotonic() - start
    worker.send_signal(signal.SIGTERM)
    worker.wait()
    time.sleep(0.5)
    controller.stop()

    received = sink.ids
    distinct = set(received)
    duplicates = len(received) - len(distinct)
    print(f"base : {url.split(':')[0]}, {args.mails} courriels, {args.kills} kill -9, "
          f"SMTP {args.latency * 1000:.0f} ms par courriel")
    print(f"reçus pendant les kill -9 : {during} (le reste par le dernier worker)")
    print(f"reçus {len(received)}, Message-ID distincts {len(distinct)}, doublons {duplicates}")
    print(f"chaque doublon porte le Message-ID de sa ligne : {distinct <= set(rows)}")
    print(f"toutes les lignes envoyées en {elapsed:.1f} s (dont {args.kills} redémarrages)")


if __name__ == "__main__":
    main()
