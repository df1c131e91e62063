#!/usr/bin/env python3
"""Training throughput (windows/s of forward + backward + Adam) of the same autoencoders in
PyTorch and JAX on the CPU, for comparison with the Swift `Benchmarks` executable.

Nets (see docs/benchmarks.md, "Neural network"):
  a: 1x32 input, filters 8,4,2,1, kernels 11,9,3,3, tanh, latent 0 (the paper's polarity net)
  b: 3x3000 input, filters 16,16,8, kernel 7, tanh, dense latent 16
Architecture as in Sources/NeuralNetwork/Autoencoder+Configuration.swift: per stage conv
("same") + tanh + maxpool 2; flatten; optional linear dense; decoder dense + tanh, reshape,
per stage (reversed) upsample 2 (nearest) + conv back to that stage's input channels, tanh
between stages, the last conv (to the input channels) linear: the encoder's mirror.

Usage: /work/venv/bin/python tools/bench_nn.py [--threads 2] [--seconds 3] [--only torch|jax]
Prints one JSON object per case.
"""
import argparse
import json
import os
import sys
import time

NETS = {
    "a": dict(channels=1, length=32, filters=[8, 4, 2, 1], kernels=[11, 9, 3, 3], latent=0,
              batches=[64, 256]),
    "b": dict(channels=3, length=3000, filters=[16, 16, 8], kernels=[7, 7, 7], latent=16,
              batches=[32]),
}


def timed(step, seconds):
    for _ in range(5):
        step()
    steps, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for _ in range(10):
            step()
        steps += 10
    return steps, time.perf_counter() - start, time.process_time() - cpu


def record(framework, name, batch, threads, steps, elapsed, cpu):
    """Wall-clock and CPU-time (all threads) throughput; CPU time is the fairer figure on a
    machine shared with other jobs."""
    return dict(framework=framework, net=name, batch=batch, threads=threads, steps=steps,
                ms_per_step=round(1000 * elapsed / steps, 3),
                windows_per_s=round(steps * batch / elapsed),
                cpu_ms_per_step=round(1000 * cpu / steps, 3),
                windows_per_cpu_s=round(steps * batch / cpu))


def bench_torch(threads, seconds):
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)

    class AE(nn.Module):
        def __init__(self, channels, length, filters, kernels, latent):
            super().__init__()
            enc, c, l = [], channels, length
            for f, k in zip(filters, kernels):
                enc += [nn.Conv1d(c, f, k, padding="same"), nn.Tanh(), nn.MaxPool1d(2)]
                c, l = f, l // 2
            enc.append(nn.Flatten())
            if latent:
                enc.append(nn.Linear(c * l, latent))
            self.encoder = nn.Sequential(*enc)
            dec = []
            if latent:
                dec += [nn.Linear(latent, c * l), nn.Tanh()]
            dec.append(nn.Unflatten(1, (c, l)))
            for s_ in reversed(range(len(filters))):
                out = filters[s_ - 1] if s_ > 0 else channels
                dec += [nn.Upsample(scale_factor=2, mode="nearest"),
                        nn.Conv1d(c, out, kernels[s_], padding="same")]
                if s_ > 0:
                    dec.append(nn.Tanh())
                c = out
            self.decoder = nn.Sequential(*dec)

        def forward(self, x):
            return self.decoder(self.encoder(x))

    results = []
    for name, net in NETS.items():
        for batch in net["batches"]:
            model = AE(net["channels"], net["length"], net["filters"], net["kernels"],
                       net["latent"])
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            data = [torch.randn(batch, net["channels"], net["length"]) * 0.5 for _ in range(8)]
            i = [0]

            def step():
                x = data[i[0] % 8]
                i[0] += 1
                opt.zero_grad(set_to_none=True)
                loss = nn.functional.mse_loss(model(x), x)
                loss.backward()
                opt.step()

            results.append(record("pytorch " + torch.__version__, name, batch,
                                  torch.get_num_threads(), *timed(step, seconds)))
            results[-1]["parameters"] = sum(p.numel() for p in model.parameters())
    return results


def bench_jax(threads, seconds):
    import jax
    import jax.numpy as jnp

    def init(key, net):
        params, c, l = [], net["channels"], net["length"]

        def conv(key, cin, cout, k):
            lim = (6 / (cin * k + cout * k)) ** 0.5
            return (jax.random.uniform(key, (cout, cin, k), minval=-lim, maxval=lim),
                    jnp.zeros((cout,)))

        def dense(key, fin, fout):
            lim = (6 / (fin + fout)) ** 0.5
            return (jax.random.uniform(key, (fin, fout), minval=-lim, maxval=lim),
                    jnp.zeros((fout,)))

        keys = iter(jax.random.split(key, 32))
        for f, k in zip(net["filters"], net["kernels"]):
            params.append(conv(next(keys), c, f, k))
            c, l = f, l // 2
        if net["latent"]:
            params.append(dense(next(keys), c * l, net["latent"]))
            params.append(dense(next(keys), net["latent"], c * l))
        for s_ in reversed(range(len(net["filters"]))):
            out = net["filters"][s_ - 1] if s_ > 0 else net["channels"]
            params.append(conv(next(keys), c, out, net["kernels"][s_]))
            c = out
        return params

    def conv1d(x, wb):
        w, b = wb
        y = jax.lax.conv_general_dilated(x, w, (1,), "SAME",
                                         dimension_numbers=("NCH", "OIH", "NCH"))
        return y + b[None, :, None]

    def apply(params, x, net):
        p = iter(params)
        h = x
        for _ in net["filters"]:
            h = jnp.tanh(conv1d(h, next(p)))
            n, c, l = h.shape
            h = h.reshape(n, c, l // 2, 2).max(axis=-1)
        n, c, l = h.shape
        h = h.reshape(n, c * l)
        if net["latent"]:
            w, b = next(p)
            z = h @ w + b
            w, b = next(p)
            h = jnp.tanh(z @ w + b)
        h = h.reshape(n, c, l)
        for s_ in reversed(range(len(net["filters"]))):
            h = conv1d(jnp.repeat(h, 2, axis=-1), next(p))
            if s_ > 0:
                h = jnp.tanh(h)
        return h

    results = []
    for name, net in NETS.items():
        for batch in net["batches"]:
            params = init(jax.random.PRNGKey(0), net)
            m = jax.tree_util.tree_map(jnp.zeros_like, params)
            v = jax.tree_util.tree_map(jnp.zeros_like, params)

            def loss_fn(params, x, net=net):
                return jnp.mean((apply(params, x, net) - x) ** 2)

            @jax.jit
            def train(params, m, v, t, x):
                loss, g = jax.value_and_grad(loss_fn)(params, x)
                m = jax.tree_util.tree_map(lambda m, g: 0.9 * m + 0.1 * g, m, g)
                v = jax.tree_util.tree_map(lambda v, g: 0.999 * v + 0.001 * g * g, v, g)
                lr = 1e-3 * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
                params = jax.tree_util.tree_map(
                    lambda p, m, v: p - lr * m / (jnp.sqrt(v) + 1e-8), params, m, v)
                return params, m, v, loss

            key = jax.random.PRNGKey(1)
            data = [jax.random.normal(k, (batch, net["channels"], net["length"])) * 0.5
                    for k in jax.random.split(key, 8)]
            state = dict(params=params, m=m, v=v, t=0)

            def step():
                state["t"] += 1
                p, m_, v_, loss = train(state["params"], state["m"], state["v"],
                                        float(state["t"]), data[state["t"] % 8])
                state.update(params=p, m=m_, v=v_)
                loss.block_until_ready()

            results.append(record("jax " + jax.__version__, name, batch, threads,
                                  *timed(step, seconds)))
            results[-1]["parameters"] = sum(a.size for a in jax.tree_util.tree_leaves(params))
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--only", choices=["torch", "jax"])
    a = ap.parse_args()
    if a.only != "torch":
        # XLA's CPU client uses every core it sees; pin the process to `threads` cores.
        try:
            os.sched_setaffinity(0, set(range(a.threads)))
        except (AttributeError, OSError):
            pass
    runs = []
    if a.only in (None, "torch"):
        runs += bench_torch(a.threads, a.seconds)
    if a.only in (None, "jax"):
        runs += bench_jax(a.threads, a.seconds)
    for r in runs:
        print(json.dumps(r))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
