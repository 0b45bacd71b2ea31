"""Reference timings for bench/sampling.ts: scikit-learn 1.2 / imbalanced-learn 0.10 on the same data.

    /usr/bin/python3 bench/sampling_ref.py <case> <dir> <repeats>

<dir> holds X.f32 (row-major float32), y.i32 and meta.json ({"rows", "cols"}), written by
bench/sampling.ts. Prints {"seconds": median wall, "cpu": median process CPU seconds, ...} as JSON on its last line.
"""
import json
import os
import sys
import time

import numpy as np

case, folder, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
meta = json.load(open(os.path.join(folder, 'meta.json')))
X = np.fromfile(os.path.join(folder, 'X.f32'), dtype=np.float32).reshape(meta['rows'], meta['cols'])
y = np.fromfile(os.path.join(folder, 'y.i32'), dtype=np.int32) if os.path.exists(os.path.join(folder, 'y.i32')) else None
times, cpus, extra = [], [], {}
for r in range(repeats):
    if case == 'iforest-fit':
        from sklearn.ensemble import IsolationForest
        t0, c0 = time.perf_counter(), time.process_time()
        IsolationForest(random_state=r).fit(X)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    elif case == 'iforest-score':
        from sklearn.ensemble import IsolationForest
        n_fit = meta.get('fitRows', 100000)
        f = IsolationForest(random_state=r).fit(X[:n_fit])
        t0, c0 = time.perf_counter(), time.process_time()
        f.score_samples(X)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    elif case == 'tomek':
        from imblearn.under_sampling import TomekLinks
        t = TomekLinks()
        t0, c0 = time.perf_counter(), time.process_time()
        _, yr = t.fit_resample(X, y)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        extra['removed'] = int(len(y) - len(yr))
    elif case == 'smotetomek':
        from imblearn.combine import SMOTETomek
        t0, c0 = time.perf_counter(), time.process_time()
        _, yr = SMOTETomek(random_state=r).fit_resample(X, y)
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        extra['rows'] = int(len(yr))
    else:
        raise SystemExit(f'unknown case {case}')
print(json.dumps({'seconds': float(np.median(times)), 'cpu': float(np.median(cpus)), **extra}))
