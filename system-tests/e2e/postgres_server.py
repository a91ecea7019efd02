"""A throw-away PostgreSQL server from Debian's packages for the ledger tests: initdb in a temporary directory,
`postgres` started on a free port and stopped by its process id (never by name)."""
import glob
import os
import pathlib
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time


def binaries() -> str | None:
    """The directory of Debian's initdb/postgres (postgresql-NN), or None when PostgreSQL is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return os.path.dirname(found[-1]) if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """initdb + postgres as an unprivileged user (PostgreSQL refuses to run as root)."""

    def __init__(self):
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql; scripts/install-deps --test)")
        # Its own directory under /tmp: pytest's tmp_path sits below a root-only directory the server's user
        # cannot enter.
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="tandem-pg-"))
        self.data = self.root / "pgdata"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        # As root, the server runs as Debian's `postgres` user (Popen's user/group: exec'd directly, so the
        # process id is the server's own).
        self.user = "postgres" if os.getuid() == 0 else None
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run([f"{self.bin}/initdb", "-D", str(self.data), "-U", "tandem", "--auth=trust", "-E", "UTF8",
                   "--no-sync"])

    def _as_user(self) -> dict:
        return {"user": self.user, "group": self.user} if self.user else {}

    def _run(self, argv):
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120,
                             cwd=self.root, **self._as_user())
        if out.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {out.stdout[-2000:]}")

    @property
    def url(self) -> str:
        return f"postgresql://tandem@127.0.0.1:{self.port}/postgres"

    def start(self, timeout: float = 30.0):
        log = open(self.root / "postgres.log", "a")
        self.proc = subprocess.Popen(
            [f"{self.bin}/postgres", "-D", str(self.data), "-p", str(self.port), "-k", str(self.root),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.root, **self._as_user())
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("postgres exited: " + (self.root / "postgres.log").read_text()[-2000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
                if self.query("SELECT 1") == "1":
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("postgres did not start in time")

    def query(self, sql: str) -> str:
        psql = shutil.which("psql") or f"{self.bin}/psql"
        out = subprocess.run([psql, self.url, "-tAc", sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, timeout=30)
        return out.stdout.strip()

    def stop(self, timeout: float = 30.0):
        """Fast shutdown (SIGINT) of the server this object started, by its process id."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def remove(self):
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
