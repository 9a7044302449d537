#!/usr/bin/env python3
"""Checks the sample catalogue while it is written: near-duplicates, shared sentences,
links, coverage and lengths. The test suite holds the catalogue to the same promises
(tests/it/corpus.rs); this is the writer's quick loop, run after each batch:

    python3 data/sample/tools/check.py            # the whole catalogue
    python3 data/sample/tools/check.py --partial  # while batches are missing: no coverage
                                                  # or count checks, dangling links allowed
Exit status 1 when something is wrong; every problem is printed on its own line.
"""
import argparse
import glob
import json
import os
import re
import sys
from collections import Counter, defaultdict
from itertools import combinations

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.dirname(HERE)
TEXT_FIELDS = ["title", "summary", "background", "goals", "how_it_works", "resources",
               "evaluation", "adoption", "results", "description"]
SHINGLE = 5
MAX_JACCARD = 0.3
SENTENCE_WORDS = 6
REGIONS = 23
THEMES = 14
TARGET_GROUPS = 12


def load(directory):
    docs = []
    for path in sorted(glob.glob(os.path.join(directory, "*.ndjson"))):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    doc = json.loads(line)
                    doc["_at"] = f"{os.path.basename(path)}:{n}"
                    docs.append(doc)
    return docs


def words(text):
    return re.findall(r"\w+", text.lower())


def text_of(doc):
    return "\n".join(doc.get(f) or "" for f in TEXT_FIELDS)


def body_chars(doc):
    return sum(len(doc.get(f) or "") for f in TEXT_FIELDS)


def shingles(doc):
    w = words(text_of(doc))
    return {tuple(w[i:i + SHINGLE]) for i in range(len(w) - SHINGLE + 1)}


def sentences(doc):
    for field in TEXT_FIELDS[1:]:
        for s in re.split(r"(?<=[.!?])\s+|\n+", doc.get(field) or ""):
            if len(words(s)) >= SENTENCE_WORDS:
                yield " ".join(words(s))


def boilerplate():
    path = os.path.join(HERE, "boilerplate.txt")
    if not os.path.exists(path):
        return set()
    with open(path, encoding="utf-8") as f:
        return {" ".join(words(l)) for l in f if l.strip() and not l.startswith("#")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--partial", action="store_true")
    ap.add_argument("--dir", default=SAMPLE, help="where the batches are (default: data/sample)")
    args = ap.parse_args()
    docs = load(args.dir)
    problems = []
    by_id = {}
    for d in docs:
        if d["id"] in by_id:
            problems.append(f"{d['_at']}: duplicate id {d['id']}")
        by_id[d["id"]] = d

    # Near-duplicates and shared sentences.
    sets = [(d, shingles(d)) for d in docs]
    for (a, sa), (b, sb) in combinations(sets, 2):
        if not sa or not sb:
            continue
        inter = len(sa & sb)
        if inter and inter / len(sa | sb) > MAX_JACCARD:
            problems.append(f"near-duplicates ({inter / len(sa | sb):.2f}): {a['id']} ~ {b['id']}")
    allowed = boilerplate()
    seen = defaultdict(set)
    for d in docs:
        for s in set(sentences(d)):
            if s not in allowed:
                seen[s].add(d["id"])
    for s, ids in seen.items():
        if len(ids) > 1:
            problems.append(f"shared sentence in {sorted(ids)}: {s[:90]}")

    # Links.
    back = {("practice", "projects"): "practices", ("project", "practices"): "projects",
            ("project", "networks"): "projects", ("network", "projects"): "networks"}
    target_kind = {"projects": "project", "practices": "practice", "networks": "network"}
    for d in docs:
        for field in ("projects", "practices", "networks", "translations"):
            for t in d.get(field) or []:
                other = by_id.get(t)
                if other is None:
                    if not args.partial:
                        problems.append(f"{d['id']}: {field} -> missing {t}")
                    continue
                if field == "translations":
                    if other["kind"] != d["kind"] or d["id"] not in (other.get("translations") or []):
                        problems.append(f"{d['id']}: translation {t} is not of the same kind or does not link back")
                    if other.get("language") == d.get("language"):
                        problems.append(f"{d['id']}: translation {t} is in the same language")
                    continue
                if other["kind"] != target_kind[field]:
                    problems.append(f"{d['id']}: {field} -> {t} is a {other['kind']}")
                reverse = back.get((d["kind"], field))
                if reverse and d["id"] not in (other.get(reverse) or []):
                    problems.append(f"{d['id']}: {field} -> {t}, which does not link back in `{reverse}`")

    # Lengths.
    for d in docs:
        n = body_chars(d)
        if d["kind"] == "practice" and not 700 <= n <= 20000:
            problems.append(f"{d['id']}: practice of {n} characters (700-20000)")

    kinds = Counter(d["kind"] for d in docs)
    langs = Counter(d.get("language", "?") for d in docs)
    print(f"{len(docs)} documents: {dict(kinds)}; languages {dict(langs)}")
    lengths = sorted(body_chars(d) for d in docs if d["kind"] == "practice")
    if lengths:
        q = lambda p: lengths[min(len(lengths) - 1, int(p * len(lengths)))]
        print(f"practice characters: min {lengths[0]}, p10 {q(0.1)}, median {q(0.5)}, "
              f"p90 {q(0.9)}, max {lengths[-1]}")
    regions = {r for d in docs for r in d.get("regions", [])}
    themes = {t for d in docs for t in d.get("themes", [])}
    groups = {t for d in docs for t in d.get("target_groups", [])}
    print(f"regions {len(regions)}/{REGIONS}, themes {len(themes)}/{THEMES}, "
          f"target groups {len(groups)}/{TARGET_GROUPS}")
    if not args.partial:
        n = len(docs)
        checks = [
            (kinds["practice"] >= 260, f"practices {kinds['practice']} < 260"),
            (kinds["project"] >= 100, f"projects {kinds['project']} < 100"),
            (kinds["network"] >= 30, f"networks {kinds['network']} < 30"),
            (langs["sv"] * 100 >= 15 * n, f"Swedish {langs['sv']} of {n} < 15 %"),
            (langs["en"] * 100 >= 3 * n, f"English {langs['en']} of {n} < 3 %"),
            (len(regions) == REGIONS, f"regions {len(regions)} of {REGIONS}"),
            (len(themes) == THEMES, f"themes {len(themes)} of {THEMES}"),
            (len(groups) == TARGET_GROUPS, f"target groups {len(groups)} of {TARGET_GROUPS}"),
        ]
        problems += [msg for ok, msg in checks if not ok]
    for p in problems:
        print(p)
    print("ok" if not problems else f"{len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
