#!/usr/bin/env python3
"""Writes one generated stage history (benches/gen_history.py's long CSV) in the CRM shapes
`stagebook metrics` reads, for benches/sources.sh:

- hubspot-api.jsonl: CRM API deal pages (100 deals each, one page per line), every row a
  `dealstage` version, newest first;
- pipedrive-flow.json: an array of deal-flow responses, one per deal: an `add_time` change,
  `stage_id` changes (stage ids from pipedrive-stages.json), `status` changes to won / lost,
  and `related_objects.deal` with the deal's last open stage;
- field-history.csv: OpportunityFieldHistory: a `created` row, then `StageName` changes, with
  an `Amount` change beside each to be left out;
- hubspot-export.csv: the deals export, one row per deal, a `Date entered` column per stage
  (the latest entry, as HubSpot keeps it: equal to the others only without re-entries).

    python3 benches/gen_sources.py HISTORY.csv OUT_DIR
"""
import csv
import json
import sys
from collections import defaultdict
from datetime import datetime, timezone

STAGES = ["prospecting", "discovery", "demo", "business-case", "proposal", "negotiation"]
CLOSED = {"won", "lost"}


def read(path):
    deals = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            at = datetime.strptime(row["entered_at"], "%Y-%m-%dT%H:%M:%S.000+0000")
            deals[row["deal_id"]].append((at.replace(tzinfo=timezone.utc), row["stage"]))
    for events in deals.values():
        events.sort()
    return deals


def iso(at):
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def plain(at):
    return at.strftime("%Y-%m-%d %H:%M:%S")


def hubspot_api(deals, out):
    with open(out, "w") as f:
        page = []
        for n, (deal, events) in enumerate(deals.items()):
            page.append({
                "id": str(n + 1),
                "properties": {"pipeline": "default", "dealstage": events[-1][1]},
                "propertiesWithHistory": {"dealstage": [
                    {"value": stage, "timestamp": iso(at), "sourceType": "CRM_UI"}
                    for at, stage in reversed(events)
                ]},
                "archived": False,
            })
            if len(page) == 100:
                f.write(json.dumps({"results": page}) + "\n")
                page = []
        if page:
            f.write(json.dumps({"results": page}) + "\n")


def pipedrive(deals, out, stages_out):
    ids = {stage: i + 1 for i, stage in enumerate(STAGES)}
    with open(stages_out, "w") as f:
        json.dump({"success": True, "data": [
            {"id": i, "name": stage, "pipeline_id": 1} for stage, i in ids.items()
        ]}, f)
    with open(out, "w") as f:
        f.write("[")
        for n, (deal, events) in enumerate(deals.items()):
            item = n + 1
            changes = [("add_time", None, plain(events[0][0]), events[0][0])]
            current = events[0][1]
            for at, stage in events[1:]:
                if stage in CLOSED:
                    changes.append(("status", "open", stage, at))
                elif stage != current and current in ids:
                    changes.append(("stage_id", str(ids[current]), str(ids[stage]), at))
                    current = stage
            data = [{"object": "dealChange", "timestamp": plain(at), "data": {
                "item_id": item, "field_key": key, "old_value": old, "new_value": new,
                "log_time": plain(at)}} for key, old, new, at in reversed(changes)]
            response = {"success": True, "data": data, "related_objects": {
                "deal": {str(item): {"id": item, "stage_id": ids.get(current), "pipeline_id": 1}}}}
            f.write(("," if n else "") + json.dumps(response))
        f.write("]\n")


def field_history(deals, out):
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["OpportunityId", "CreatedDate", "Field", "OldValue", "NewValue"])
        for deal, events in deals.items():
            w.writerow([deal, iso(events[0][0]), "created", "", ""])
            for (_, old), (at, new) in zip(events, events[1:]):
                w.writerow([deal, iso(at), "StageName", old, new])
                w.writerow([deal, iso(at), "Amount", "1000", "1200"])


def hubspot_export(deals, out):
    stages = STAGES + ["won", "lost"]
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Record ID", "Pipeline"]
                   + [f'Date entered "{s} (Sales Pipeline)"' for s in stages])
        for n, (deal, events) in enumerate(deals.items()):
            latest = {stage: at for at, stage in events}
            w.writerow([n + 1, "Sales Pipeline"]
                       + [plain(latest[s]) if s in latest else "" for s in stages])


def main():
    history, out = sys.argv[1], sys.argv[2]
    deals = read(history)
    hubspot_api(deals, f"{out}/hubspot-api.jsonl")
    pipedrive(deals, f"{out}/pipedrive-flow.json", f"{out}/pipedrive-stages.json")
    field_history(deals, f"{out}/field-history.csv")
    hubspot_export(deals, f"{out}/hubspot-export.csv")
    print(f"{len(deals)} deals")


if __name__ == "__main__":
    main()
