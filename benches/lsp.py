#!/usr/bin/env python3
"""Re-check latency of `stagebook lsp`: the time from a change of a 1 MB playbook (one
character, as a keystroke sends it) to the findings the server publishes for it.

usage: benches/lsp.py [BINARY] [--stages N] [--changes K]

Generates one big playbook with benches/generate.py (510 stages, about 1 MB), opens it in the
server, sends K full-text changes and prints the median, the 95th percentile and the worst of
the K latencies. Build the binary first: `cargo build --release`.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def frame(message):
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def read(stream):
    length = None
    while True:
        line = stream.readline()
        if not line:
            raise EOFError("the server stopped")
        line = line.strip()
        if not line:
            break
        if line.startswith(b"Content-Length:"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary", nargs="?", default="target/release/stagebook")
    ap.add_argument("--stages", type=int, default=510)
    ap.add_argument("--changes", type=int, default=30)
    args = ap.parse_args()
    work = tempfile.mkdtemp()
    path = os.path.join(work, "big.yaml")
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(here, "generate.py"), path, "--one-big",
                    "--stages", str(args.stages)], check=True, stdout=subprocess.DEVNULL)
    text = open(path, encoding="utf-8").read()
    uri = "file://" + path
    server = subprocess.Popen([args.binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def send(message):
        server.stdin.write(frame(message))
        server.stdin.flush()

    def published():
        while True:
            message = read(server.stdout)
            if message.get("method") == "textDocument/publishDiagnostics" \
                    and message["params"]["uri"] == uri:
                return message["params"]["diagnostics"]

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"processId": None, "rootUri": None, "capabilities": {}}})
    read(server.stdout)
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
          "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                      "text": text}}})
    findings = published()
    latencies = []
    for version in range(2, args.changes + 2):
        # A keystroke: one character more, or one less, at the end of a stage's goal.
        changed = text.replace("goal: ", "goal: x", 1) if version % 2 else text
        start = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "textDocument/didChange",
              "params": {"textDocument": {"uri": uri, "version": version},
                         "contentChanges": [{"text": changed}]}})
        published()
        latencies.append((time.perf_counter() - start) * 1000)
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
    read(server.stdout)
    send({"jsonrpc": "2.0", "method": "exit", "params": None})
    server.wait(timeout=10)
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    print(f"{len(text.encode()) / 1e6:.2f} MB, {args.stages} stages, {len(findings)} findings; "
          f"{args.changes} changes: median {statistics.median(latencies):.1f} ms, "
          f"p95 {p95:.1f} ms, worst {latencies[-1]:.1f} ms")


if __name__ == "__main__":
    main()
