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
       /work/venv/bin/python tools/bench_nn.py --family [all|conv|tcn|lstm|dense|conv-spec|...]
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


# The autoencoder family (issue 15) at each type's `cluster` defaults (relu, latent 16), on
# spectrogram windows (78 x 92, zero-padded to 96 for the pooling types as the Swift net pads
# them) and waveforms (3 x 3000), batch 32; names as in Sources/Benchmarks/main.swift.
FAMILY = {
    "conv": dict(filters=[16, 16, 16], kernels=[5, 5, 5]),
    "tcn": dict(filters=[16, 16, 16], kernels=[3, 3, 3]),
    "lstm": dict(filters=[64]),
    "dense": dict(filters=[256, 64]),
}
INPUTS = {"spec": (78, 92), "wave": (3, 3000)}


def family_model(kind, channels, length, latent=16):
    """The Swift builders' nets (Sources/NeuralNetwork/Autoencoder+*.swift) in PyTorch."""
    import torch
    from torch import nn
    import torch.nn.functional as F

    spec = FAMILY[kind]
    filters = spec["filters"]
    act = nn.ReLU

    class Causal(nn.Module):
        def __init__(self, cin, cout, k, d):
            super().__init__()
            self.conv, self.pad = nn.Conv1d(cin, cout, k, dilation=d), (k - 1) * d

        def forward(self, x):
            return self.conv(F.pad(x, (self.pad, 0)))

    class Block(nn.Module):
        def __init__(self, cin, cout, k, d):
            super().__init__()
            self.c1, self.c2 = Causal(cin, cout, k, d), Causal(cout, cout, k, d)
            self.down = nn.Conv1d(cin, cout, 1) if cin != cout else None

        def forward(self, x):
            h = torch.relu(self.c2(torch.relu(self.c1(x))))
            return torch.relu(h + (x if self.down is None else self.down(x)))

    if kind in ("conv", "tcn"):
        depth = len(filters)
        unit = 2 ** depth
        padded = (length + unit - 1) // unit * unit
        enc, c, l = [], channels, padded
        for s, f in enumerate(filters):
            k = spec["kernels"][s]
            if kind == "conv":
                enc += [nn.Conv1d(c, f, k, padding="same"), act()]
            else:
                enc.append(Block(c, f, k, 2 ** s))
            enc.append(nn.MaxPool1d(2))
            c, l = f, l // 2
        enc += [nn.Flatten(), nn.Linear(c * l, latent)]
        dec = [nn.Linear(latent, c * l), act(), nn.Unflatten(1, (c, l))]
        for s in reversed(range(depth)):
            k = spec["kernels"][s]
            dec.append(nn.Upsample(scale_factor=2, mode="nearest"))
            if kind == "conv":
                out = filters[s - 1] if s > 0 else channels
                dec.append(nn.Conv1d(c, out, k, padding="same"))
                if s > 0:
                    dec.append(act())
            else:
                out = filters[max(s - 1, 0)]
                dec.append(Block(c, out, k, 2 ** s))
            c = out
        if kind == "tcn":
            dec.append(nn.Conv1d(c, channels, 1))  # the time-distributed dense
        encoder, decoder = nn.Sequential(*enc), nn.Sequential(*dec)

        class AE(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder, self.decoder = encoder, decoder

            def forward(self, x):
                x = F.pad(x, (0, padded - length))
                return self.decoder(self.encoder(x))[..., :length]

        return AE()
    if kind == "dense":
        layers, f = [nn.Flatten()], channels * length
        for size in filters:
            layers += [nn.Linear(f, size), act()]
            f = size
        layers.append(nn.Linear(f, latent))
        f = latent
        for size in reversed(filters):
            layers += [nn.Linear(f, size), act()]
            f = size
        layers += [nn.Linear(f, channels * length), nn.Unflatten(1, (channels, length))]
        return nn.Sequential(*layers)

    class Seq2Seq(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.LSTM(channels, filters[0], batch_first=True)
            self.code = nn.Linear(filters[0], latent)
            self.dec = nn.LSTM(latent, filters[0], batch_first=True)
            self.out = nn.Linear(filters[0], channels)

        def forward(self, x):
            h, _ = self.enc(x.transpose(1, 2))
            z = self.code(h[:, -1])
            y, _ = self.dec(z[:, None, :].expand(-1, length, -1))
            return self.out(y).transpose(1, 2)

    return Seq2Seq()


def bench_family(threads, seconds, only=None):
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    results = []
    for kind in FAMILY:
        for input_name, (channels, length) in INPUTS.items():
            name = f"{kind}-{input_name}"
            if only and not (name == only or kind == only):
                continue
            batch = 32
            model = family_model(kind, channels, length)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            data = [torch.randn(batch, channels, length) * 0.5 for _ in range(8)]
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
            print(json.dumps(results[-1]))
            sys.stdout.flush()
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
    ap.add_argument("--family", nargs="?", const="all",
                    help="the autoencoder family in PyTorch only (all, a type, or TYPE-spec|wave)")
    a = ap.parse_args()
    if a.family:
        bench_family(a.threads, a.seconds, None if a.family == "all" else a.family)
        return
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
