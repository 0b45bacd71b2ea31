"""PyTorch reference for bench/sam.ts: ms per momentum step and per SAM(momentum) step (davda54/sam
algorithm), MLP 64-256-256-10, batch 256, one thread. Prints JSON on its last line."""
import json, sys, time
import torch

torch.set_num_threads(1)
steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
torch.manual_seed(0)
x = torch.randn(256, 64); y = torch.randint(0, 10, (256,))
def model():
    return torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
def loss_fn(m): return torch.nn.functional.cross_entropy(m(x), y)
def median(f, repeats=3):
    f(); ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); f(); ts.append((time.perf_counter() - t0) * 1000 / steps)
    return sorted(ts)[len(ts) // 2]
mb = model(); ob = torch.optim.SGD(mb.parameters(), lr=0.01, momentum=0.9)
def base():
    for _ in range(steps):
        ob.zero_grad(); loss_fn(mb).backward(); ob.step()
ms = model(); os_ = torch.optim.SGD(ms.parameters(), lr=0.01, momentum=0.9); rho = 0.05
def sam():
    for _ in range(steps):
        os_.zero_grad(); loss_fn(ms).backward()
        params = [p for p in ms.parameters() if p.grad is not None]
        norm = torch.norm(torch.stack([p.grad.norm(2) for p in params]), 2)
        saved = []
        with torch.no_grad():
            for p in params:
                e = p.grad * (rho / (norm + 1e-12)); saved.append(p.detach().clone()); p.add_(e)
        os_.zero_grad(); loss_fn(ms).backward()
        with torch.no_grad():
            for p, s in zip(params, saved): p.copy_(s)
        os_.step()
print(json.dumps({"base": median(base), "sam": median(sam)}))
