#!/usr/bin/env python3
"""Writes a large, deterministic CloudAudit history as JSON lines, for measuring the CLI.

  scripts/make-history.py N > history.jsonl

Each line is one of the records in samples/audit-history.jsonl (raw records and a
DescribeEvents wrapper), with fresh ids and times, so every envelope is distinct.
"""
import json
import pathlib
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
root = pathlib.Path(__file__).resolve().parent.parent
templates = [json.loads(line) for line in (root / "samples" / "audit-history.jsonl").open(encoding="utf-8")]
out = sys.stdout
for n in range(count):
    template = templates[n % len(templates)]
    event_id = f"7b2e0000-0000-4000-8000-{n:012d}"
    if "CloudAuditEvent" in template:
        record = json.loads(template["CloudAuditEvent"])
        record.update(eventID=event_id, requestID=event_id, eventTime=1715155200 + n)
        line = dict(template, CloudAuditEvent=json.dumps(record), EventId=event_id)
    else:
        line = dict(template, eventID=event_id, requestID=event_id, eventTime=1715155200 + n)
    out.write(json.dumps(line, ensure_ascii=False))
    out.write("\n")
