#!/usr/bin/env python3
"""Turns a pool of (query, document) pairs into packets a judge reads: each query's need,
then its pooled documents in id order (so no judge can tell which system proposed which),
each with its title, kind, language, summary and the start of its text.

    python3 eval/judge_packets.py POOL.tsv QUERIES.tsv OUTDIR [PACKETS]

POOL.tsv: `query-id<TAB>document-id` lines. QUERIES.tsv: `id<TAB>...` lines whose last
column is the need and whose fourth (search) or second (recommendations) is the query; for
recommendations the "query" is a source document id, shown in full. Writes
OUTDIR/packet-N.md and, beside each, packet-N.tsv with one `query<TAB>document<TAB>` line per
pair for the judge to complete with a grade (0, 1, 2).
"""
import glob
import json
import os
import sys
from collections import OrderedDict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEXT = ["background", "goals", "how_it_works", "results", "description", "resources",
        "evaluation", "adoption"]


def documents():
    out = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "data/sample/*.ndjson"))):
        for line in open(path, encoding="utf-8"):
            if line.strip():
                d = json.loads(line)
                out[d["id"]] = d
    return out


def excerpt(d, chars):
    body = " ".join((d.get(f) or "").replace("\n", " ") for f in TEXT).strip()
    return body[:chars] + ("…" if len(body) > chars else "")


def describe(d, chars):
    return (f"**{d['id']}** ({d['kind']}, {d.get('language', '?')}): {d['title']}\n"
            f"Summary: {d['summary']}\n"
            f"Text: {excerpt(d, chars)}\n")


def main():
    pool_path, queries_path, outdir = sys.argv[1:4]
    packets = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    docs = documents()
    queries = OrderedDict()
    for line in open(queries_path, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            cols = line.rstrip("\n").split("\t")
            queries[cols[0]] = cols
    pool = OrderedDict()
    for line in open(pool_path, encoding="utf-8"):
        if line.strip():
            q, d = line.split("\t")[:2]
            pool.setdefault(q.strip(), set()).add(d.strip())
    os.makedirs(outdir, exist_ok=True)
    # Whole queries to packets, balancing the number of pairs.
    loads = [[0, i, []] for i in range(packets)]
    for q in sorted(pool, key=lambda q: -len(pool[q])):
        loads.sort()
        loads[0][0] += len(pool[q])
        loads[0][2].append(q)
    for load, i, qs in loads:
        md, tsv = [], []
        for q in sorted(qs):
            cols = queries[q]
            if cols[1] in docs:  # a recommendation source
                md.append(f"## {q}\nSource document (what the reader is looking at):\n"
                          f"{describe(docs[cols[1]], 1500)}\nNeed: {cols[-1]}\n")
            else:
                md.append(f"## {q}\nQuery: `{cols[3]}`\nNeed: {cols[-1]}\n")
            for d in sorted(pool[q]):
                md.append(describe(docs[d], 700))
                tsv.append(f"{q}\t{d}\t")
        open(os.path.join(outdir, f"packet-{i + 1}.md"), "w", encoding="utf-8").write("\n".join(md))
        open(os.path.join(outdir, f"packet-{i + 1}.tsv"), "w", encoding="utf-8").write("\n".join(tsv) + "\n")
        print(f"packet-{i + 1}: {len(qs)} queries, {load} pairs")


if __name__ == "__main__":
    main()
