"""A throwaway PostgreSQL cluster for tests: initdb and pg_ctl (Debian's postgresql package) in a
temporary directory, listening only on 127.0.0.1 on a free port with its unix socket in that
directory, password authentication over TCP, stopped and removed at the end. The server refuses to run
as root, so under root it runs as the `postgres` user (runuser), which owns the directory.

    with pg.cluster() as c:           # exits with SKIP (77) and a visible message without the binaries
        uri = c.uri("jobs")           # creates database "jobs"; postgresql://llmflow:PASSWORD@127.0.0.1:PORT/jobs
        c.sql("jobs", "SELECT 1")     # psql, its output as text

Not for: anything a test checks."""
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile

SKIP = 77            # ctest's SKIP_RETURN_CODE for these tests
USER = "llmflow"
PASSWORD = "llmflow-test-password"


def bin_dir():
    """The newest installed server's binaries (/usr/lib/postgresql/N/bin), or None."""
    found = [d for d in glob.glob("/usr/lib/postgresql/*/bin") if os.path.exists(os.path.join(d, "initdb"))]
    found.sort(key=lambda d: int(d.split("/")[-2]) if d.split("/")[-2].isdigit() else 0)
    return found[-1] if found else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, bindir, tmp):
        self.bin, self.tmp = bindir, tmp
        self.data = os.path.join(tmp, "data")
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    def _run(self, args, **kw):
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        return subprocess.run(prefix + args, cwd=self.tmp, capture_output=True, text=True, timeout=120, **kw)

    def start(self):
        if self.as_postgres:
            shutil.chown(self.tmp, "postgres", "postgres")
        pwfile = os.path.join(self.tmp, "pw")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        if self.as_postgres:
            shutil.chown(pwfile, "postgres", "postgres")
        r = self._run([os.path.join(self.bin, "initdb"), "-D", self.data, "-U", USER, "--pwfile", pwfile,
                       "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8"])
        if r.returncode != 0:
            raise RuntimeError("initdb failed: " + r.stdout + r.stderr)
        self.start_server()

    def start_server(self):
        # Loopback only, the socket in our directory, no fsync (a crash of the server process, which
        # stop() is, loses nothing committed; only the machine crashing would).
        opts = "-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c fsync=off " \
               "-c full_page_writes=off" % (self.port, self.tmp)
        r = self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-l", os.path.join(self.tmp, "log"),
                       "-o", opts, "-w", "-t", "60", "start"])
        if r.returncode != 0:
            log = open(os.path.join(self.tmp, "log")).read() if os.path.exists(os.path.join(self.tmp, "log")) else ""
            raise RuntimeError("pg_ctl start failed: " + r.stdout + r.stderr + log)

    def stop(self):
        """Stops the server at once (as a crash would); start_server() starts it again."""
        self._run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop"])

    def sql(self, db, text):
        """Runs SQL with psql over the unix socket; its output (tuples only, unaligned)."""
        r = self._run([os.path.join(self.bin, "psql"), "-h", self.tmp, "-p", str(self.port), "-U", USER, "-d", db,
                       "-v", "ON_ERROR_STOP=1", "-At", "-c", text])
        if r.returncode != 0:
            raise RuntimeError("psql failed: " + r.stderr)
        return r.stdout

    def uri(self, db, password=PASSWORD):
        """Creates database `db` (once) and returns its URI."""
        if self.sql("postgres", "SELECT count(*) FROM pg_database WHERE datname = '%s'" % db).strip() == "0":
            self.sql("postgres", "CREATE DATABASE %s" % db)
        return "postgresql://%s:%s@127.0.0.1:%d/%s" % (USER, password, self.port, db)


@contextlib.contextmanager
def cluster():
    """A started cluster, stopped and removed afterwards; without the server binaries, prints SKIP and
    exits with SKIP."""
    bindir = bin_dir()
    if not bindir:
        print("SKIP: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb); "
              "tools/install-deps.sh installs them")
        sys.exit(SKIP)
    tmp = tempfile.mkdtemp(prefix="llmflow-pg-")
    c = Cluster(bindir, tmp)
    try:
        c.start()
        yield c
    finally:
        c.stop()
        shutil.rmtree(tmp, ignore_errors=True)
