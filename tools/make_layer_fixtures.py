#!/usr/bin/env python3
"""Reference values for the layers of issue 15, made with PyTorch (CPU, float64):
fixtures/layers/layers.json. Run from the repository root:

    /work/venv/bin/python tools/make_layer_fixtures.py

Every tensor is written flat, in seiscluster's public layout: inputs and outputs as
batch x channels x length (PyTorch's Conv1d layout; for the LSTM the sequence is
`x.transpose(1, 2)` of ours), parameters in PyTorch's own order and layout (which the Swift
layers share), concatenated as `Sequential` lays them out. Each case also carries PyTorch's
gradients of `L = sum(y * g)` for the given `g`.

Cases:
  lstm           one nn.LSTM layer (gate order i, f, g, o; weight_ih, weight_hh, bias_ih, bias_hh)
  lstm_stacked   nn.LSTM(num_layers=2): its flat parameters are two seiscluster LSTM layers
  causal_conv    nn.Conv1d(dilation=d) on F.pad(x, ((K - 1) * d, 0)) (dilated causal)
  temporal_block Bai et al.'s TCN residual block: relu(h2 + downsample(x)), with and without a
                 1x1 projection (tanh variant without)
  time_distributed nn.Linear over the channels at every step
  sigmoid        torch.sigmoid
  bce            nn.BCELoss (mean): value and gradient, targets in [0, 1] with exact 0 and 1
  mean_over_steps x.mean(dim=-1), the LSTM encoder's summary of a window (made last, so adding it
                 left the other cases' random draws as they were)
"""
import json
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(15)
torch.set_default_dtype(torch.float64)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def params_of(module):
    return torch.cat([p.detach().reshape(-1) for p in module.parameters()])


def grads_of(module):
    return torch.cat([p.grad.reshape(-1) for p in module.parameters()])


def rounded(t):
    """Values that are exact in float32, so the Swift side sees the same numbers."""
    return t.float().double()


def lstm_case(n, inputs, hidden, length, layers=1):
    lstm = nn.LSTM(inputs, hidden, num_layers=layers, batch_first=True)
    with torch.no_grad():
        for p in lstm.parameters():
            p.copy_(rounded(p * 1.5))
    x = rounded(torch.randn(n, inputs, length)).requires_grad_(True)
    y, _ = lstm(x.transpose(1, 2))
    y = y.transpose(1, 2)  # [n, hidden, length]
    g = rounded(torch.randn_like(y))
    (y * g).sum().backward()
    return dict(batch=n, inputSize=inputs, hiddenSize=hidden, length=length, layers=layers,
                x=flat(x), parameters=flat(params_of(lstm)), y=flat(y), g=flat(g),
                inputGradient=flat(x.grad), parameterGradient=flat(grads_of(lstm)))


class CausalConv(nn.Module):
    def __init__(self, cin, cout, k, d):
        super().__init__()
        self.conv = nn.Conv1d(cin, cout, k, dilation=d)
        self.pad = (k - 1) * d

    def forward(self, x):
        return self.conv(F.pad(x, (self.pad, 0)))


def causal_case(n, cin, cout, k, d, length):
    conv = CausalConv(cin, cout, k, d)
    with torch.no_grad():
        for p in conv.parameters():
            p.copy_(rounded(p))
    x = rounded(torch.randn(n, cin, length)).requires_grad_(True)
    y = conv(x)
    g = rounded(torch.randn_like(y))
    (y * g).sum().backward()
    return dict(batch=n, inputChannels=cin, outputChannels=cout, kernelSize=k, dilation=d,
                length=length, x=flat(x), parameters=flat(params_of(conv)), y=flat(y), g=flat(g),
                inputGradient=flat(x.grad), parameterGradient=flat(grads_of(conv)))


class TemporalBlock(nn.Module):
    """Bai, Kolter & Koltun (2018), without weight norm and in eval mode (no dropout)."""

    def __init__(self, cin, cout, k, d, act):
        super().__init__()
        self.conv1 = CausalConv(cin, cout, k, d)
        self.conv2 = CausalConv(cout, cout, k, d)
        self.downsample = nn.Conv1d(cin, cout, 1) if cin != cout else None
        self.act = act

    def forward(self, x):
        h = self.act(self.conv1(x))
        h = self.act(self.conv2(h))
        res = x if self.downsample is None else self.downsample(x)
        return self.act(h + res)


def block_case(n, cin, cout, k, d, length, activation):
    act = dict(relu=torch.relu, tanh=torch.tanh)[activation]
    block = TemporalBlock(cin, cout, k, d, act)
    with torch.no_grad():
        for p in block.parameters():
            p.copy_(rounded(p + 0.05 * torch.randn_like(p)))
    x = rounded(torch.randn(n, cin, length)).requires_grad_(True)
    y = block(x)
    g = rounded(torch.randn_like(y))
    (y * g).sum().backward()
    return dict(batch=n, inputChannels=cin, outputChannels=cout, kernelSize=k, dilation=d,
                length=length, activation=activation, x=flat(x),
                parameters=flat(params_of(block)), y=flat(y), g=flat(g),
                inputGradient=flat(x.grad), parameterGradient=flat(grads_of(block)))


def time_distributed_case(n, cin, cout, length):
    linear = nn.Linear(cin, cout)
    with torch.no_grad():
        for p in linear.parameters():
            p.copy_(rounded(p))
    x = rounded(torch.randn(n, cin, length)).requires_grad_(True)
    y = linear(x.transpose(1, 2)).transpose(1, 2)
    g = rounded(torch.randn_like(y))
    (y * g).sum().backward()
    return dict(batch=n, inputFeatures=cin, outputFeatures=cout, length=length, x=flat(x),
                parameters=flat(params_of(linear)), y=flat(y), g=flat(g),
                inputGradient=flat(x.grad), parameterGradient=flat(grads_of(linear)))


def bce_case():
    p = torch.cat([torch.rand(40) * 0.98 + 0.01, torch.tensor([1e-6, 0.999999, 0.5, 0.25])])
    t = torch.cat([torch.rand(30), torch.zeros(5), torch.ones(5), torch.tensor([0.0, 1.0, 0.5, 1.0])])
    p = rounded(p).requires_grad_(True)
    t = rounded(t)
    loss = nn.BCELoss()(p.float(), t.float())  # float32, as the Swift pair runs
    loss.backward()
    p64 = p.detach().clone().requires_grad_(True)
    loss64 = nn.BCELoss()(p64, t)
    loss64.backward()
    return dict(prediction=flat(p), target=flat(t), loss=loss64.item(), gradient=flat(p64.grad),
                gradientFloat32=flat(p.grad))


def mean_over_steps_case(n, channels, length):
    x = rounded(torch.randn(n, channels, length)).requires_grad_(True)
    y = x.mean(dim=-1)  # [n, channels]
    g = rounded(torch.randn_like(y))
    (y * g).sum().backward()
    return dict(batch=n, inputChannels=channels, length=length, x=flat(x), parameters=[],
                y=flat(y), g=flat(g), inputGradient=flat(x.grad), parameterGradient=[])


def main():
    out = dict(
        header="made by tools/make_layer_fixtures.py (torch %s, float64)" % torch.__version__,
        lstm=[lstm_case(3, 4, 5, 7), lstm_case(2, 1, 3, 1), lstm_case(4, 6, 8, 12)],
        lstmStacked=lstm_case(2, 3, 4, 6, layers=2),
        causalConv=[causal_case(2, 3, 4, 3, 1, 10), causal_case(3, 2, 2, 2, 4, 9),
                    causal_case(1, 1, 3, 5, 3, 6)],
        temporalBlock=[block_case(2, 3, 5, 3, 2, 11, "relu"), block_case(3, 4, 4, 2, 1, 8, "tanh")],
        timeDistributed=time_distributed_case(3, 4, 2, 5),
        sigmoid=dict(x=flat(rounded(torch.linspace(-20, 20, 81))),
                     y=flat(torch.sigmoid(rounded(torch.linspace(-20, 20, 81))))),
        bce=bce_case(),
    )
    out["meanOverSteps"] = mean_over_steps_case(3, 4, 9)
    path = os.path.join("fixtures", "layers", "layers.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)), file=sys.stderr)


if __name__ == "__main__":
    main()
