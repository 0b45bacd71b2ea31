#!/usr/bin/env python3
"""How separable are `Portscan` and `Infiltration - Portscan` in the CICIDS2017 improved sample?

A scikit-learn random forest on these two classes only (all flow features, identifiers excluded as
in flowsentry's loader; a stratified 70/30 split), with and without the destination port. Its test
accuracy bounds what any model can expect on this pair, the largest source of error of every
pipeline in docs/guides/paper-rescae-bigru.md.

usage: /usr/bin/python3 scripts/portscan_pair.py [data dir]   (default ../shared/data)
"""
import os
import sys

from collections import Counter

import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
d = os.path.join(root, "cicids2017-improved-sample")
x = pd.concat([pd.read_csv(os.path.join(d, "Portscan_2500.csv")), pd.read_csv(os.path.join(d, "Infiltration_-_Portscan_2500.csv"))])
y = x["Label"]
identifiers = ["id", "Flow ID", "Src IP", "Src Port", "Dst IP", "Dst Port", "Timestamp", "Label", "Attempted Category"]
features = [c for c in x.columns if c not in identifiers]
# Identical feature vectors carrying both labels: no model can tell those rows apart, so the best
# any classifier can do on them is the majority label of each vector (the Bayes error of the pair).
counts = {label: Counter(map(tuple, x.loc[y == label, features].values)) for label in ("Portscan", "Infiltration - Portscan")}
a, b = counts.values()
shared = set(a) & set(b)
lost = sum(min(a[v], b[v]) for v in shared)
print(f"distinct feature vectors: Portscan {len(a)} of {sum(a.values())} rows, Infiltration - Portscan {len(b)} of {sum(b.values())}")
print(f"vectors under both labels: {len(shared)} ({sum(a[v] for v in shared)} + {sum(b[v] for v in shared)} rows); "
      f"rows no model can get right: {lost} of {len(x)} -> best possible accuracy on the pair {1 - lost / len(x):.4f}")
for name, cols in (("flow features", features), ("flow features + Dst Port", features + ["Dst Port"])):
    xtr, xte, ytr, yte = train_test_split(x[cols].astype(float), y, test_size=0.3, random_state=0, stratify=y)
    rf = RandomForestClassifier(n_estimators=100, random_state=0).fit(xtr, ytr)
    print(f"{name}: random forest test accuracy on the pair {rf.score(xte, yte):.4f}")
    if name == "flow features":
        top = sorted(zip(rf.feature_importances_, cols), reverse=True)[:5]
        print("  most used:", ", ".join(f"{c} ({i:.3f})" for i, c in top))
