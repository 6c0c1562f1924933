#!/usr/bin/env python3
"""Refused connections while a hot-deployed plugin is updated, seen from outside.

Starts the launcher (java -jar uvtcp-launcher.jar --no-shell) in a fresh temporary folder,
deploys the upper-case plugin on a free loopback port, and runs a client (this script, not
uvtcp code) that opens fresh connections one after the other, sends 32 bytes on each and
checks every byte of the upper-case answer, while the plugin's jar in deploy/ is touched N
times (FileInstall, polling every second, then updates and refreshes the bundle). Prints
what became of the connections: answered, refused, and other failures (reset or closed
before the whole answer, timeouts), the latter split into those that overlapped a touch.

Bounded: N touches INTERVAL seconds apart, a connect and read timeout of 5 s, at most
MAX_CONNECTIONS connections. The launcher is stopped by its PID (SIGTERM, then SIGKILL)
also when something fails.

    python3 launcher/src/test/python/update_under_load.py \\
        --launcher launcher/target/uvtcp-launcher.jar \\
        --plugin examples/upper-plugin/target/uvtcp-example-upper-plugin.jar \\
        --updates 10 [--grace-ms 0]

--grace-ms writes deploy/dev.uvtcp.cfg with whiteboardGracePeriodMillis (0: the listener
closes with its handler, as before the grace period existed). Exit status 0 if no
connection was refused, 1 otherwise.
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

MAX_CONNECTIONS = 2_000_000
PAYLOAD_BYTES = 32


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def payload(n):
    # lower-case letters only, different on each connection
    return bytes(ord("a") + (n * 7 + i) % 26 for i in range(PAYLOAD_BYTES))


def exchange(port, data, expect=None):
    """None if the whole expected answer (upper case by default) came back, else what."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        got = b""
        while len(got) < len(data):
            chunk = s.recv(len(data) - len(got))
            if not chunk:
                return "EOF after %d bytes" % len(got)
            got += chunk
        return None if got == (data.upper() if expect is None else expect) \
            else "wrong answer %r" % got


class Client(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stop = False
        self.touching = 0          # > 0 while a touch may be taking effect
        self.answered = 0
        self.refused = 0
        self.failed_near_touch = 0
        self.failed_other = []

    def run(self):
        n = 0
        while not self.stop and n < MAX_CONNECTIONS:
            n += 1
            near = self.touching > 0
            try:
                failure = exchange(self.port, payload(n))
            except ConnectionRefusedError:
                self.refused += 1
                continue
            except OSError as e:
                failure = repr(e)
            if failure is None:
                self.answered += 1
            elif near or self.touching > 0:
                self.failed_near_touch += 1
            else:
                self.failed_other.append(failure)


def await_answer(port, process, expect, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the launcher ended with status %d" % process.returncode)
        try:
            if exchange(port, b"ready", expect) is None:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("port %d did not answer within %d s" % (port, seconds))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--launcher", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--updates", type=int, default=10)
    parser.add_argument("--interval", type=float, default=2.5,
                        help="seconds between touches (FileInstall polls every second)")
    parser.add_argument("--grace-ms", type=int, default=None)
    parser.add_argument("--java", default="java")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="uvtcp-update-under-load-")
    deploy = os.path.join(work, "deploy")
    os.makedirs(deploy)
    tmp = os.path.join(work, "tmp")
    os.makedirs(tmp)
    echo_port, upper_port = free_port(), free_port()
    with open(os.path.join(deploy, "dev.uvtcp.examples.echo.cfg"), "w") as f:
        f.write("uvtcp.server.address = 127.0.0.1:%d\n" % echo_port)
    with open(os.path.join(deploy, "dev.uvtcp.examples.upper.cfg"), "w") as f:
        f.write("uvtcp.server.address = 127.0.0.1:%d\n" % upper_port)
    if args.grace_ms is not None:
        with open(os.path.join(deploy, "dev.uvtcp.cfg"), "w") as f:
            f.write("whiteboardGracePeriodMillis = %d\n" % args.grace_ms)
    jar = os.path.join(deploy, os.path.basename(args.plugin))
    log = open(os.path.join(work, "launcher.log"), "w")
    process = subprocess.Popen(
        [args.java, "-Djava.io.tmpdir=" + tmp, "-jar", os.path.abspath(args.launcher),
         "--no-shell"], cwd=work, stdin=subprocess.DEVNULL, stdout=log,
        stderr=subprocess.STDOUT)
    client = None
    try:
        await_answer(echo_port, process, b"ready")
        shutil.copy(args.plugin, jar)
        await_answer(upper_port, process, b"READY")
        client = Client(upper_port)
        start = time.time()
        client.start()
        time.sleep(1)
        for i in range(args.updates):
            client.touching += 1
            now = time.time()
            os.utime(jar, (now, now))
            # FileInstall sees it within its 1 s poll and updates within a few 100 ms.
            window = min(args.interval, 1.6)
            time.sleep(window)
            client.touching -= 1
            time.sleep(args.interval - window)
        time.sleep(1)
        client.stop = True
        client.join(30)
        elapsed = time.time() - start
        print("%d touches in %.1f s (grace period %s): %d connections answered (%.0f/s), "
              "%d refused, %d other failures during a touch, %d other failures outside"
              % (args.updates, elapsed,
                 "default" if args.grace_ms is None else "%d ms" % args.grace_ms,
                 client.answered, client.answered / elapsed, client.refused,
                 client.failed_near_touch, len(client.failed_other)))
        for failure in client.failed_other[:5]:
            print("  outside a touch: " + failure)
        return 0 if client.refused == 0 else 1
    except Exception:
        log.flush()
        with open(os.path.join(work, "launcher.log")) as f:
            sys.stderr.write("launcher output:\n" + f.read()[-4000:])
        raise
    finally:
        if client is not None:
            client.stop = True
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
