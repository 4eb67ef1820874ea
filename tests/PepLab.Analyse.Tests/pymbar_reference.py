# Reference values for PepLab.Analyse.Tests.EquilibrationTests, computed once with Debian's python3-pymbar 3.1.0:
#   /usr/bin/python3 tests/PepLab.Analyse.Tests/pymbar_reference.py
import numpy as np
from pymbar import timeseries

M = 2**64
class Gen:
    def __init__(self, seed): self.s = seed % M
    def uniform(self):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) % M
        return (self.s >> 11) * 2.0**-53
    def noise(self):
        return self.uniform() + self.uniform() + self.uniform() + self.uniform() - 2.0

def constant(): return [3.0] * 50
def step():
    g = Gen(11); return [(5.0 if t < 40 else 0.0) + g.noise() for t in range(200)]
def relax():
    g = Gen(12); x = []; a = 8.0; ar = 0.0
    for t in range(300):
        ar = 0.8 * ar + g.noise()
        x.append(a + ar); a = a * 0.9
    return x
def integers():
    g = Gen(13); return [float(int(g.uniform() * 4)) + (3.0 if t < 10 else 0.0) for t in range(60)]
def tail_constant(): return [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0]
def alternating(): return [1.0, -1.0] * 10
def tiny(): return [0.1] * 10   # numpy's mean of ten 0.1 is not 0.1
for name, f in [("constant", constant), ("step", step), ("relax", relax), ("integers", integers),
                ("tail_constant", tail_constant), ("alternating", alternating), ("tiny", tiny)]:
    a = np.array(f(), dtype=np.float64)
    for fast in (False, True):
        t, g, n = timeseries.detectEquilibration(a, fast=fast, nskip=1)
        print(f"{name} fast={fast}: t0={int(t)} g={float(g)!r} neff={float(n)!r}")
    try:
        print(f"{name} g(all)={timeseries.statisticalInefficiency(a)!r} g(fast)={timeseries.statisticalInefficiency(a, fast=True)!r}")
    except Exception as e:
        print(name, "statisticalInefficiency:", type(e).__name__)
t, g, n = timeseries.detectEquilibration(np.array(relax()), fast=False, nskip=7)
print(f"relax nskip=7: t0={int(t)} g={float(g)!r} neff={float(n)!r}")
print("first relax values", relax()[:3], "first step", step()[:2])
