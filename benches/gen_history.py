#!/usr/bin/env python3
"""Seeded generator of CRM stage history for `stagebook metrics`.

Writes a Salesforce OpportunityHistory-like CSV (`deal_id,stage,entered_at`) for the B2B SaaS
process prospecting -> discovery -> demo -> business-case -> proposal -> negotiation -> won / lost, with losses
at every stage, some skipped stages, some moves back and open deals. Stage names are the
stage ids of playbooks/midmarket-saas.yaml (and tests/fixtures/metrics/saas.yaml), so
any playbook with those ids measures it. Deals are written in
shuffled blocks, so rows are not in time order (as in real exports).

    python3 benches/gen_history.py --rows 10000000 --seed 7 --out /tmp/history-10m.csv
    python3 benches/gen_history.py --rows 3000 --seed 1 --out examples/history.csv \
        --activities examples/activities.csv

The same seed and row count always write the same bytes.
"""
import argparse
import random
from datetime import datetime, timedelta, timezone

# stage -> (median days in stage, chance of loss on leaving it)
STAGES = [
    ("prospecting", 6.0, 0.35),
    ("discovery", 5.0, 0.25),
    ("demo", 9.0, 0.20),
    ("business-case", 7.0, 0.15),
    ("proposal", 6.0, 0.25),
    ("negotiation", 8.0, 0.30),
]
ACTIVITY_MIX = {
    "prospecting": [("email", 2.2), ("call", 2.8)],
    "discovery": [("meeting", 1.0), ("email", 1.5)],
    "demo": [("demo", 1.0), ("email", 2.5), ("call", 1.0)],
    "business-case": [("meeting", 1.0), ("email", 2.0)],
    "proposal": [("email", 2.0), ("call", 1.0)],
    "negotiation": [("email", 4.0), ("call", 1.5)],
}
ID_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def deal_rows(rng, start, end_of_data):
    """One deal's stage changes, as (stage, seconds since epoch)."""
    t = start
    rows = [("prospecting", t)]
    i = 0
    while True:
        name, median, loss = STAGES[i]
        t += int(rng.lognormvariate(0, 0.6) * median * 86400)
        if t > end_of_data:
            return rows  # still open
        r = rng.random()
        if r < loss:
            rows.append(("lost", t))
            return rows
        if i == 4 and r < loss + 0.05:  # proposal sent back to discovery
            i = 1
        elif i == 1 and r < loss + 0.05:  # discovery straight to the proposal
            i = 4
        else:
            i += 1
        if i == len(STAGES):
            rows.append(("won", t))
            return rows
        rows.append((STAGES[i][0], t))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", required=True)
    parser.add_argument("--activities")
    parser.add_argument("--start", default="2023-01-01")
    parser.add_argument("--days", type=int, default=730)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    start = int(datetime.fromisoformat(args.start).replace(tzinfo=timezone.utc).timestamp())
    end = start + args.days * 86400
    stamp_cache = {}

    def stamp(secs):
        day, rest = divmod(secs, 86400)
        text = stamp_cache.get(day)
        if text is None:
            text = stamp_cache[day] = datetime.fromtimestamp(day * 86400, timezone.utc).strftime("%Y-%m-%d")
        h, rest = divmod(rest, 3600)
        m, s = divmod(rest, 60)
        return f"{text}T{h:02}:{m:02}:{s:02}.000+0000"

    written = 0
    serial = 0
    acts = open(args.activities, "w") if args.activities else None
    if acts:
        acts.write("deal_id,occurred_at,type\n")
    with open(args.out, "w", buffering=1 << 20) as out:
        out.write("deal_id,stage,entered_at\n")
        while written < args.rows:
            block = []
            block_rows = 0
            while len(block) < 2000 and block_rows < args.rows - written:
                serial += 1
                deal = "006" + "".join(rng.choice(ID_CHARS) for _ in range(9)) + f"{serial:06}"
                first = start + int(rng.random() * args.days * 0.95 * 86400)
                rows = deal_rows(rng, first, end)
                block.append((deal, rows))
                block_rows += len(rows)
                if acts:
                    for (stage, t0), nxt in zip(rows, rows[1:] + [(None, min(end, rows[-1][1] + 86400))]):
                        for kind, mean in ACTIVITY_MIX.get(stage, []):
                            for _ in range(int(rng.expovariate(1 / mean) + 0.5)):
                                at = t0 + int(rng.random() * max(1, nxt[1] - t0))
                                acts.write(f"{deal},{stamp(at)},{kind}\n")
            rng.shuffle(block)
            lines = []
            for deal, rows in block:
                for stage, t in rows:
                    lines.append(f"{deal},{stage},{stamp(t)}\n")
            rng.shuffle(lines)
            out.write("".join(lines))
            written += len(lines)
    if acts:
        acts.close()


if __name__ == "__main__":
    main()
