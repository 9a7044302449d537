#!/usr/bin/env python3
"""Exports simplemma's Finnish and Swedish form -> lemma dictionaries as TSV, the input of
`cargo run --release --example build_lexicon`. Usage:
    pip install simplemma==2.0.0
    python3 index/tools/export_simplemma.py OUTDIR      # writes OUTDIR/fi.tsv, OUTDIR/sv.tsv
"""
import os
import sys

from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
factory = DefaultDictionaryFactory()
for lang in ("fi", "sv"):
    d = factory.get_dictionary(lang)
    with open(os.path.join(out, f"{lang}.tsv"), "w", encoding="utf-8") as f:
        for form in sorted(d.keys()):
            lemma = d[form]
            form = form.decode() if isinstance(form, bytes) else form
            lemma = lemma.decode() if isinstance(lemma, bytes) else lemma
            if "\t" not in form and "\n" not in form and "\t" not in lemma:
                f.write(f"{form}\t{lemma}\n")
    print(f"{lang}: {len(d)} forms")
