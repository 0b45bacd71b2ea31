"""PyTorch reference for bench/train.ts: the same two workloads, 1 CPU thread.

Prints one JSON line: median milliseconds per training step and per inference pass.
Usage: python3 bench/train_torch.py --batch 256 --repeats 5 [--warmup 1]
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)


class BiGru(nn.Module):
    """2 bidirectional GRU layers of 64 (PyTorch's GRU is reset-after), Dense 16 on the final states."""

    def __init__(self, features=32, units=64, classes=16):
        super().__init__()
        self.gru = nn.GRU(features, units, num_layers=2, bidirectional=True, batch_first=True)
        self.dense = nn.Linear(2 * units, classes)

    def forward(self, x):
        _, h = self.gru(x)
        return self.dense(torch.cat([h[-2], h[-1]], dim=1))


class ConvAe(nn.Module):
    """ResCAE-like conv autoencoder on [batch, 1, 1, F] 'images', kernels 1x3, strides (1, 2)."""

    def __init__(self, c1=32, c2=64):
        super().__init__()
        self.e1 = nn.Conv2d(1, c1, (1, 3), (1, 2), (0, 1))
        self.r1 = nn.Conv2d(c1, c1, (1, 3), 1, (0, 1))
        self.r2 = nn.Conv2d(c1, c1, (1, 3), 1, (0, 1))
        self.e2 = nn.Conv2d(c1, c2, (1, 3), (1, 2), (0, 1))
        self.d1 = nn.ConvTranspose2d(c2, c1, (1, 3), (1, 2), (0, 1), output_padding=(0, 0))
        self.d2 = nn.ConvTranspose2d(c1, 1, (1, 3), (1, 2), (0, 1), output_padding=(0, 1))

    def forward(self, x):
        a = torch.relu(self.e1(x))
        a = torch.relu(a + self.r2(torch.relu(self.r1(a))))
        a = torch.relu(self.e2(a))
        a = torch.relu(self.d1(a))
        return self.d2(a)


def timed(fn, repeats, warmup=1):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--batch', type=int, default=256)
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--warmup', type=int, default=1, help='untimed calls before the timed ones (bench/train.ts passes the same as its own)')
    p.add_argument('--features', type=int, default=78)
    a = p.parse_args()
    out = {}

    gru = BiGru()
    x = torch.randn(a.batch, 20, 32)
    y = torch.randint(0, 16, (a.batch,))
    opt = torch.optim.Adam(gru.parameters(), 1e-3)

    def gru_step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(gru(x), y)
        loss.backward()
        opt.step()

    def gru_infer():
        with torch.no_grad():
            gru(x)

    out['bigru_train_ms'] = timed(gru_step, a.repeats, a.warmup)
    out['bigru_infer_ms'] = timed(gru_infer, a.repeats, a.warmup)

    ae = ConvAe()
    xi = torch.rand(a.batch, 1, 1, a.features)
    assert ae(xi).shape == xi.shape
    opt2 = torch.optim.Adam(ae.parameters(), 1e-3)

    def ae_step():
        opt2.zero_grad()
        loss = ((ae(xi) - xi) ** 2).mean()
        loss.backward()
        opt2.step()

    def ae_infer():
        with torch.no_grad():
            ae(xi)

    out['cae_train_ms'] = timed(ae_step, a.repeats, a.warmup)
    out['cae_infer_ms'] = timed(ae_infer, a.repeats, a.warmup)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
