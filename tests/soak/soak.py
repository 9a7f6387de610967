#!/usr/bin/env python3
"""The soak's measuring half, run by tests/soak/run.sh inside the namespace
it made (see there and docs/testing.md).

  soak.py run --pid PID --port PORT --seconds S --out DIR [options]
      scrapes the exporter from CLIENTS threads at RATE scrapes/s in all,
      while a seed-1 overflow and a vanished peer come and go; every
      INTERVAL seconds records the exporter's RSS, open fds and threads and
      the scrape latency percentiles (DIR/soak.csv). Exits 1 unless no scrape
      failed, RSS and fds stayed flat after the warm-up, p99 latency stayed
      under 3x the median, and the exporter saw every overflow and every
      vanished peer.
  soak.py serve --port PORT --seconds S
      the peer: accepts connections and reads what they send, never
      answering (run in the peer's namespace).
"""
import argparse
import http.client
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

OVERFLOW_PORT = 30998  # Below the ephemeral range: no client port collides.
OVERFLOW_CLIENTS = 5
SUCCESS = re.compile(rb"^halfopen_scrape_collector_success\{[^}]*\} (\S+)$", re.M)


def sample(text, pattern):
    """The values of the sample lines of `text` matching `pattern`."""
    return [float(v) for v in re.findall(pattern, text, re.M)]


class Events:
    """The overflow and the vanished peer, each on for half of every cycle
    (the peer a quarter cycle later), and whether the exporter saw each
    phase: a queue of 2 on the overflowing listener, a retransmit_stall
    suspect while the peer is gone."""

    def __init__(self, cycle, peer_ns, peer_address, peer_port):
        self.cycle = cycle
        self.peer = (peer_ns, peer_address, peer_port)
        self.lock = threading.Lock()
        self.overflow_phase = None  # Index of the phase that is on, or None.
        self.peer_phase = None
        self.seen = {"overflow": set(), "peer": set()}
        self.phases = {"overflow": 0, "peer": 0}
        self.sockets = []
        self.peer_socket = None

    def observe(self, overflowing, stalled):
        with self.lock:
            if self.overflow_phase is not None and overflowing:
                self.seen["overflow"].add(self.overflow_phase)
            if self.peer_phase is not None and stalled:
                self.seen["peer"].add(self.peer_phase)

    def overflow_on(self, phase):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", OVERFLOW_PORT))
        listener.listen(1)  # Holds 2; never accepted.
        clients = []
        for _ in range(OVERFLOW_CLIENTS):
            client = socket.socket()
            client.setblocking(False)
            client.connect_ex(("127.0.0.1", OVERFLOW_PORT))
            clients.append(client)
        with self.lock:
            self.sockets = [listener] + clients
            self.overflow_phase = phase
            self.phases["overflow"] += 1

    def overflow_off(self):
        with self.lock:
            self.overflow_phase = None
            sockets, self.sockets = self.sockets, []
        for s in sockets:
            s.close()

    def nft(self, *rule):
        ns = self.peer[0]
        subprocess.run(["ip", "netns", "exec", ns, "nft", *rule], check=True)

    def peer_on(self, phase):
        ns, address, port = self.peer
        client = socket.create_connection((address, port), timeout=5)
        client.sendall(b"hello")
        # The peer drops everything from now on: it vanished without a word.
        self.nft("add", "rule", "inet", "soak", "in", "tcp", "dport", str(port), "drop")
        client.setblocking(False)
        with self.lock:
            self.peer_socket = client
            self.peer_phase = phase
            self.phases["peer"] += 1

    def peer_tick(self):
        with self.lock:
            client = self.peer_socket
        if client is not None:
            try:
                client.send(b"x" * 100)  # Data in flight keeps retransmitting.
            except OSError:
                pass

    def peer_off(self):
        with self.lock:
            self.peer_phase = None
            client, self.peer_socket = self.peer_socket, None
        if client is not None:
            # A RST that the peer drops: nothing lingers on this side.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            client.close()
        self.nft("flush", "chain", "inet", "soak", "in")

    def run(self, stop, seconds):
        start = time.monotonic()
        phase = 0
        half = self.cycle / 2
        while not stop.is_set():
            t = time.monotonic() - start
            # No phase starts that could not be seen whole before the end.
            room = t + half <= seconds
            overflow_wanted = (t % self.cycle) < half and (
                room or self.overflow_phase is not None)
            peer_wanted = ((t + self.cycle / 4) % self.cycle) >= half and (
                room or self.peer_phase is not None)
            if overflow_wanted and self.overflow_phase is None:
                phase += 1
                self.overflow_on(phase)
            elif not overflow_wanted and self.overflow_phase is not None:
                self.overflow_off()
            if peer_wanted and self.peer_phase is None:
                phase += 1
                self.peer_on(phase)
            elif not peer_wanted and self.peer_phase is not None:
                self.peer_off()
            self.peer_tick()
            stop.wait(0.2)
        self.overflow_off()
        self.peer_off()

    def unseen(self):
        """Phases the exporter never showed, by event."""
        with self.lock:
            return {k: self.phases[k] - len(self.seen[k]) for k in self.phases}


def evidence(body):
    """What a scrape shows of the events: a queue of 2 on the overflowing
    listener, and a retransmit_stall suspect."""
    text = body.decode()
    queue = sample(text, r'^halfopen_listen_queue_length\{[^}]*port="%d"[^}]*\} (\S+)$'
                   % OVERFLOW_PORT)
    stalled = sample(text, r'^halfopen_suspects\{reason="retransmit_stall"\} (\S+)$')
    return bool(queue) and max(queue) >= 2, bool(stalled) and max(stalled) >= 1


def client(index, port, clients, rate, start, stop, results):
    """One scraping client, a process of its own so that no client waits for
    another's turn (as Python threads would) and latency is the exporter's.
    Scrapes at rate/clients per second over a keep-alive connection, as
    Prometheus does, and sends (began, seconds, failure, evidence) home."""
    period = clients / rate
    due = start + index * period / clients
    connection = None
    while not stop.is_set():
        stop.wait(max(0, due - time.monotonic()))
        if stop.is_set():
            break
        due += period
        began = time.monotonic()
        failure = None
        shown = (False, False)
        try:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            connection.request("GET", "/metrics")
            response = connection.getresponse()
            body = response.read()
            took = time.monotonic() - began
            failed = [v for v in SUCCESS.findall(body) if v != b"1"]
            if response.status != 200 or failed:
                failure = f"status {response.status}, {len(failed)} collector(s) failed"
            shown = evidence(body)
        except (OSError, http.client.HTTPException) as error:
            took = time.monotonic() - began
            failure = f"{type(error).__name__}: {error}"
            connection = None
        results.put((began, took, failure, shown))


class Clients:
    """CLIENTS processes scraping /metrics at RATE per second in all, and
    the thread that gathers what they saw."""

    def __init__(self, port, clients, rate, events, start):
        self.events, self.start = events, start
        context = multiprocessing.get_context("fork")
        self.stop = context.Event()
        self.results = context.Queue()
        self.processes = [
            context.Process(target=client,
                            args=(i, port, clients, rate, start, self.stop, self.results))
            for i in range(clients)]
        self.lock = threading.Lock()
        self.latencies = []  # Seconds, since the last take().
        self.all = []        # (began, seconds) for the whole run.
        self.failures = []
        self.gatherer = threading.Thread(target=self.gather)

    def begin(self):
        for process in self.processes:
            process.start()
        self.gatherer.start()

    def end(self):
        self.stop.set()
        for process in self.processes:
            process.join(20)
            if process.is_alive():
                process.kill()
        self.results.put(None)
        self.gatherer.join()

    def gather(self):
        while (result := self.results.get()) is not None:
            began, took, failure, shown = result
            self.events.observe(*shown)
            with self.lock:
                self.latencies.append(took)
                self.all.append((began, took))
                if failure:
                    self.failures.append(failure)

    def take(self):
        with self.lock:
            taken, self.latencies = self.latencies, []
            return taken


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def process_figures(pid):
    status = open(f"/proc/{pid}/status").read()
    rss = int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1))
    threads = int(re.search(r"^Threads:\s+(\d+)", status, re.M).group(1))
    return rss, len(os.listdir(f"/proc/{pid}/fd")), threads


def run(args):
    stop = threading.Event()
    events = Events(args.cycle, args.peer_ns, args.peer_address, args.peer_port)
    start = time.monotonic()
    clients = Clients(args.port, args.clients, args.rate, events, start)
    threads = [threading.Thread(target=events.run, args=(stop, args.seconds))]
    clients.begin()
    for t in threads:
        t.start()
    rows = []
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "soak.csv"), "w") as csv:
        csv.write("seconds,rss_kb,fds,threads,scrapes,p50_ms,p90_ms,p99_ms,max_ms\n")
        next_sample = start + args.interval
        try:
            while time.monotonic() < start + args.seconds:
                stop.wait(max(0, next_sample - time.monotonic()))
                next_sample += args.interval
                rss, fds, nthreads = process_figures(args.pid)
                window = clients.take()
                ms = [1000 * v for v in window]
                row = (round(time.monotonic() - start), rss, fds, nthreads, len(window),
                       percentile(ms, .5), percentile(ms, .9), percentile(ms, .99),
                       max(ms, default=float("nan")))
                rows.append(row)
                csv.write("%d,%d,%d,%d,%d,%.1f,%.1f,%.1f,%.1f\n" % row)
                csv.flush()
                print("t=%4ds rss=%6d kB fds=%3d threads=%3d scrapes=%4d "
                      "p50=%6.1f p90=%6.1f p99=%6.1f max=%6.1f ms" % row, flush=True)
        finally:
            clients.end()
            stop.set()
            for t in threads:
                t.join()
    return verdict(args, rows, clients, events)


def verdict(args, rows, clients, events):
    warm = [r for r in rows if r[0] > args.warmup]
    problems = []
    if len(warm) < 2:
        problems.append("too few samples after the warm-up")
        warm = rows[-2:]
    rss = [r[1] for r in warm]
    fds = [r[2] for r in warm]
    rss_allowed = max(args.rss_slack_kb, rss[0] * 0.05)
    if max(rss) - rss[0] > rss_allowed:
        problems.append("RSS grew %d kB after the warm-up (allowed %d)"
                        % (max(rss) - rss[0], rss_allowed))
    if max(fds) - min(fds) > args.fd_slack:
        problems.append("open fds ranged %d-%d after the warm-up" % (min(fds), max(fds)))
    latencies = [1000 * t for began, t in clients.all
                 if began - clients.start > args.warmup]
    median = statistics.median(latencies) if latencies else float("nan")
    p99 = percentile(latencies, .99)
    if not p99 < 3 * median:
        problems.append("p99 latency %.1f ms is not under 3x the median %.1f ms" % (p99, median))
    if clients.failures:
        problems.append("%d scrape(s) failed, first: %s"
                        % (len(clients.failures), clients.failures[0]))
    for event, missed in events.unseen().items():
        if missed:
            problems.append("the exporter never showed %d of the %d %s phase(s)"
                            % (missed, events.phases[event], event))
    print("soak: %d scrapes (%.1f/s), %d failed; after warm-up: RSS %d-%d kB, fds %d-%d, "
          "threads %d-%d, latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; "
          "overflow phases %d, vanished-peer phases %d"
          % (len(clients.all), len(clients.all) / args.seconds, len(clients.failures),
             min(rss), max(rss), min(fds), max(fds),
             min(r[3] for r in warm), max(r[3] for r in warm), median,
             percentile(latencies, .9), p99, max(latencies, default=0),
             events.phases["overflow"], events.phases["peer"]))
    for problem in problems:
        print("soak: FAIL: " + problem)
    print("soak: " + ("FAIL" if problems else "PASS"))
    return 1 if problems else 0


def serve(args):
    listener = socket.create_server(("0.0.0.0", args.port), backlog=64)
    listener.settimeout(1)
    held = []
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        try:
            connection, _ = listener.accept()
            connection.setblocking(False)
            held.append(connection)
        except socket.timeout:
            pass
        for connection in held:
            try:
                connection.recv(65536)
            except OSError:
                pass


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    r = sub.add_parser("run")
    r.add_argument("--pid", type=int, required=True)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--seconds", type=float, required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--clients", type=int, default=4)
    r.add_argument("--rate", type=float, default=20)
    r.add_argument("--interval", type=float, default=10)
    r.add_argument("--warmup", type=float, default=60)
    r.add_argument("--cycle", type=float, default=60)
    r.add_argument("--rss-slack-kb", type=int, default=2048)
    r.add_argument("--fd-slack", type=int, default=8)
    r.add_argument("--peer-ns", required=True)
    r.add_argument("--peer-address", required=True)
    r.add_argument("--peer-port", type=int, required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--seconds", type=float, required=True)
    args = parser.parse_args()
    sys.exit(run(args) if args.mode == "run" else serve(args))


if __name__ == "__main__":
    main()
