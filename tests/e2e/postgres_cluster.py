#!/usr/bin/python3
"""The one throwaway PostgreSQL 15 cluster the end-to-end suite's PostgreSQL cells share.

    postgres_cluster.py start STATE_FILE     # initdb + pg_ctl start; writes STATE_FILE (JSON)
    postgres_cluster.py stop STATE_FILE      # pg_ctl stop; removes the cluster and STATE_FILE

ctest runs `start` as the setup of the fixture `e2e_postgresql` and `stop` as its cleanup, which
ctest runs after the last case that needs it, failed or not. The cluster lives in a temporary
folder (data and Unix socket) owned by an unprivileged user (`postgres`, from Debian's
postgresql-15, when run as root: initdb refuses root), listens on no TCP address and uses a port
that was free, so the socket name is unique too. `start` first stops a cluster an interrupted run
left behind (STATE_FILE still there). Cases each create and drop their own databases in it.
"""
from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER = "alembic_fix"  # the role the cases connect as (trust, on the socket only)


def as_owner(owner: str | None, *cmd: str) -> list[str]:
    return ["runuser", "-u", owner, "--", *cmd] if owner else list(cmd)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(state_file: Path) -> int:
    if not state_file.is_file():
        return 0
    state = json.loads(state_file.read_text())
    data = Path(state["folder"]) / "data"
    status = 0
    if (data / "postmaster.pid").exists():
        done = subprocess.run(as_owner(state["owner"], str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                       "-w", "stop"), capture_output=True, text=True)
        if done.returncode != 0:
            print(f"pg_ctl stop failed:\n{done.stdout}{done.stderr}", file=sys.stderr)
            status = 1
    shutil.rmtree(state["folder"], ignore_errors=True)
    state_file.unlink()
    print(f"stopped and removed the cluster in {state['folder']}")
    return status


def start(state_file: Path) -> int:
    if not (BIN / "initdb").exists():
        print(f"FAIL: no {BIN}/initdb: install Debian's postgresql-15 (scripts/test.sh does)", file=sys.stderr)
        return 1
    stop(state_file)  # one left by an interrupted run
    owner = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="alembic-fix-postgres-"))
    if owner:
        pw = pwd.getpwnam(owner)
        os.chown(folder, pw.pw_uid, pw.pw_gid)
    port = free_port()
    state = {"folder": str(folder), "socket_dir": str(folder), "port": port, "owner": owner, "user": SUPERUSER}
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(state) + "\n")  # before starting: `stop` can always clean up
    data = folder / "data"
    steps = [
        [str(BIN / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C",
         "--no-sync", "--no-instructions"],
        # Durability is of no use to a throwaway cluster; its cost is.
        [str(BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60", "-o",
         f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
         f"-c full_page_writes=off -c max_connections=100", "start"],
    ]
    for cmd in steps:
        done = subprocess.run(as_owner(owner, *cmd), capture_output=True, text=True, cwd=folder)
        if done.returncode != 0:
            log = (folder / "log").read_text() if (folder / "log").exists() else ""
            print(f"FAIL: {' '.join(cmd)} exits {done.returncode}:\n{done.stdout}{done.stderr}{log}", file=sys.stderr)
            stop(state_file)
            return 1
    print(f"PostgreSQL 15 running: socket {folder}, port {port}, role {SUPERUSER}")
    return 0


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        print(__doc__, file=sys.stderr)
        return 2
    state_file = Path(sys.argv[2]).resolve()
    return start(state_file) if sys.argv[1] == "start" else stop(state_file)


if __name__ == "__main__":
    sys.exit(main())
