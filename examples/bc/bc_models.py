"""The two behaviour-cloning networks of examples/bc, shared by train.py
(which exports them to TorchScript) and bc_policy.py (which runs the same
weights in Python). Inputs are already normalised; outputs are normalised
action chunks of shape (B, chunk, 7)."""
import torch
from torch import nn


class StateMLP(nn.Module):
    """Proprioception (8 numbers) -> a chunk of actions."""

    def __init__(self, state_dim: int = 8, chunk: int = 4, action_dim: int = 7, hidden: int = 256):
        super().__init__()
        self.chunk = chunk
        self.action_dim = action_dim
        self.net = nn.Sequential(
            nn.Linear(state_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, chunk * action_dim),
        )

    def forward(self, state: torch.Tensor) -> torch.Tensor:
        return self.net(state).reshape(state.shape[0], self.chunk, self.action_dim)


class ImageCNN(nn.Module):
    """One RGB camera (B, 3, H, W) and proprioception -> a chunk of actions.
    A small conv stack with a spatial soft-argmax (keypoints), as in
    robomimic's image policies, which localises objects better than pooling."""

    def __init__(self, state_dim: int = 8, chunk: int = 4, action_dim: int = 7, channels: int = 32,
                 keypoints: int = 16, hidden: int = 256):
        super().__init__()
        self.chunk = chunk
        self.action_dim = action_dim
        self.conv = nn.Sequential(
            nn.Conv2d(3, channels, 5, stride=2, padding=2), nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(),
            nn.Conv2d(channels, keypoints, 3, padding=1),
        )
        self.head = nn.Sequential(
            nn.Linear(2 * keypoints + state_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, chunk * action_dim),
        )

    def forward(self, image: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        f = self.conv(image)  # (B, K, h, w)
        b, k, h, w = f.shape
        attention = torch.softmax(f.reshape(b, k, h * w), dim=-1).reshape(b, k, h, w)
        ys = torch.linspace(-1.0, 1.0, h, device=f.device)
        xs = torch.linspace(-1.0, 1.0, w, device=f.device)
        kx = (attention.sum(dim=2) * xs).sum(dim=-1)  # (B, K)
        ky = (attention.sum(dim=3) * ys).sum(dim=-1)
        x = torch.cat([kx, ky, state], dim=1)
        return self.head(x).reshape(b, self.chunk, self.action_dim)


def build(kind: str, chunk: int, **kwargs) -> nn.Module:
    if kind == "mlp":
        return StateMLP(chunk=chunk, **kwargs)
    if kind == "cnn":
        return ImageCNN(chunk=chunk, **kwargs)
    raise ValueError(f"unknown model kind {kind!r} (mlp or cnn)")
