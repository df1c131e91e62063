"""The classifier the supervised yardsticks train (supervised_ceiling.py, cnn_self_training.py):
`cluster`'s default encoder (conv 3,5,5 with 16 filters, each + ReLU + max-pool 2), then dense
16, ReLU, dense k. Input length a multiple of 8."""
import torch


class EncoderCNN(torch.nn.Module):
    def __init__(self, channels, length, k):
        super().__init__()
        layers, c = [], channels
        for kernel in (3, 5, 5):
            layers += [torch.nn.Conv1d(c, 16, kernel, padding=kernel // 2), torch.nn.ReLU(),
                       torch.nn.MaxPool1d(2)]
            c = 16
        self.body = torch.nn.Sequential(*layers)
        self.head = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16 * (length // 8), 16),
                                        torch.nn.ReLU(), torch.nn.Linear(16, k))

    def forward(self, x): return self.head(self.body(x))
