"""scikit-learn side of scripts/eval-sampling.ts: Isolation Forest ROC-AUC on the same matrices.

    /usr/bin/python3 bench/sampling_eval_ref.py <dir>

<dir>/cases.json lists {"name", "seed", "train", "test", "y", "trainRows", "testRows", "cols"}:
float32 row-major files for train and test, int32 0/1 labels (1 = attack). Prints a JSON list of
{"name", "seed", "auc"} on its last line.
"""
import json
import os
import sys

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

folder = sys.argv[1]
out = []
for c in json.load(open(os.path.join(folder, 'cases.json'))):
    train = np.fromfile(os.path.join(folder, c['train']), dtype=np.float32).reshape(c['trainRows'], c['cols'])
    test = np.fromfile(os.path.join(folder, c['test']), dtype=np.float32).reshape(c['testRows'], c['cols'])
    y = np.fromfile(os.path.join(folder, c['y']), dtype=np.int32)
    f = IsolationForest(random_state=c['seed']).fit(train)
    out.append({'name': c['name'], 'seed': c['seed'], 'auc': float(roc_auc_score(y, -f.score_samples(test)))})
print(json.dumps(out))
