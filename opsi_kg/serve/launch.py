"""Start and stop real servers on the loopback interface: ``opsi-kg serve`` and an Oxigraph server.

Used by the tests and by ``bench/load.py``. Both are context managers that always stop what they
started, and both refuse any address but loopback.

>>> 1024 <= free_port() < 65536
True
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def require_loopback(host: str) -> str:
    """``host`` if it names the loopback interface; raises ValueError otherwise."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"{host} is not a loopback address: these servers only run on this machine")
    return host


def _wait_listening(host: str, port: int, process: subprocess.Popen, deadline: float, log: Path) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped with exit code {process.returncode}:\n{_tail(log)}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not listen on {host}:{port} in time:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=grace)


class _Server:
    process: subprocess.Popen | None = None
    log_path: Path

    def log(self) -> str:
        return _tail(self.log_path, 200)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None
        handle = getattr(self, "_log_handle", None)
        if handle is not None:
            handle.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class ServeProcess(_Server):
    """``opsi-kg serve`` in a child process, on a free loopback port, until :meth:`stop`.

    ``args`` are more ``opsi-kg serve`` options (``--data``, ``--timeout``, ...). Ready means the
    build is done, the query workers are up and the port answers HTTP.
    """

    def __init__(self, args: Sequence[str] = (), *, host: str = LOOPBACK, port: int | None = None,
                 start_timeout: float = 180.0, log_dir: Path | str | None = None):
        self.host = require_loopback(host)
        self.port = port or free_port(host)
        self.args = list(args)
        self.start_timeout = start_timeout
        self._own_dir = None if log_dir else tempfile.mkdtemp(prefix="opsi-kg-serve-log-")
        self.log_path = Path(log_dir or self._own_dir) / f"serve-{self.port}.log"
        self.url = f"http://{host}:{self.port}"

    def start(self) -> ServeProcess:
        command = [sys.executable, "-c", "from opsi_kg.cli import run; run()", "serve", "--host", self.host,
                   "--port", str(self.port), "--quiet", *self.args]
        self._log_handle = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, stdout=self._log_handle, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + self.start_timeout
        try:
            _wait_listening(self.host, self.port, self.process, deadline, self.log_path)
            while time.monotonic() < deadline:  # listening comes after the lifespan startup; check HTTP too
                try:
                    with urllib.request.urlopen(self.url + "/api/queries", timeout=5) as response:
                        if response.status == 200:
                            return self
                except (urllib.error.URLError, OSError):
                    time.sleep(0.2)
            raise RuntimeError(f"opsi-kg serve did not answer in time:\n{self.log()}")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        super().stop()
        if self._own_dir:
            shutil.rmtree(self._own_dir, ignore_errors=True)


class OxigraphServer(_Server):
    """The Oxigraph server (the ``oxigraph`` package's binary) on a free loopback port, with a
    temporary store, querying the union of the named graphs as the default graph."""

    def __init__(self, *, host: str = LOOPBACK, port: int | None = None, binary: str | None = None,
                 start_timeout: float = 30.0):
        self.host = require_loopback(host)
        self.port = port or free_port(host)
        self.binary = binary or find_oxigraph()
        self.start_timeout = start_timeout
        self._dir = tempfile.mkdtemp(prefix="opsi-kg-oxigraph-")
        self.log_path = Path(self._dir) / "oxigraph.log"
        self.url = f"http://{host}:{self.port}"
        self.query_url = self.url + "/query"
        self.store_url = self.url + "/store"

    def start(self) -> OxigraphServer:
        command = [self.binary, "serve", "--location", str(Path(self._dir) / "store"),
                   "--bind", f"{self.host}:{self.port}", "--union-default-graph"]
        self._log_handle = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, stdout=self._log_handle, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        try:
            _wait_listening(self.host, self.port, self.process, time.monotonic() + self.start_timeout, self.log_path)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self._dir, ignore_errors=True)


def find_oxigraph() -> str:
    """The ``oxigraph`` server binary: next to this Python first (a virtualenv), then on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise FileNotFoundError("no oxigraph server binary: pip install oxigraph")
