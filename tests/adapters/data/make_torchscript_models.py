"""Writes the TorchScript models and configs the torchscript adapter tests use.

Run with Debian's python3 (torch 1.13): make_torchscript_models.py OUT_DIR
Every model is tiny and deterministic (fixed seed); reference outputs for the
MLP are computed here in eager PyTorch so the C++ side can be checked against them.
"""
import json
import pathlib
import sys

import torch

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
torch.manual_seed(0)


class ChunkMLP(torch.nn.Module):
    """(B, 8) state -> (B, chunk, 7) actions."""

    def __init__(self, chunk: int):
        super().__init__()
        self.chunk = chunk
        self.net = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 7 * chunk))

    def forward(self, state: torch.Tensor) -> torch.Tensor:
        return self.net(state).reshape(state.shape[0], self.chunk, 7)


class WrongShape(torch.nn.Module):
    def forward(self, state: torch.Tensor) -> torch.Tensor:
        return torch.zeros(state.shape[0], 5)


class Probe(torch.nn.Module):
    """Reports what it received: per-channel means of the image, the state,
    and the first two token ids, as 7 numbers per item."""

    def forward(self, image: torch.Tensor, state: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        means = image.float().mean(dim=(2, 3))  # (B, 3)
        return torch.cat([means, state[:, :2], tokens[:, :2].float()], dim=1)


class EmbeddingProbe(torch.nn.Module):
    """Returns the embedding's first 7 numbers (un-normalised by the config)."""

    def forward(self, embedding: torch.Tensor) -> torch.Tensor:
        return embedding[:, :7]


class Raises(torch.nn.Module):
    """Fails at run time when the first state entry is above 10."""

    def forward(self, state: torch.Tensor) -> torch.Tensor:
        if bool((state[:, 0] > 10.0).any()):
            raise RuntimeError("state out of range")
        return torch.zeros(state.shape[0], 7)


class SeedProbe(torch.nn.Module):
    """Returns what the `seed` input carried: seed % 1000 and the step index."""

    def forward(self, seed: torch.Tensor) -> torch.Tensor:
        zeros = torch.zeros(seed.shape[0], 5)
        return torch.cat([(seed[:, :1] % 1000).float(), seed[:, 1:2].float(), zeros], dim=1)


def save(module, name):
    torch.jit.script(module).save(str(out / name))


mlp = ChunkMLP(4).eval()
save(mlp, "mlp_chunk4.pt")
save(ChunkMLP(1).eval(), "mlp_chunk1.pt")
save(WrongShape(), "wrong_shape.pt")
save(Probe(), "probe.pt")
save(EmbeddingProbe(), "embedding_probe.pt")
save(Raises(), "raises.pt")
save(SeedProbe(), "seed_probe.pt")

state_mean = [0.1, -0.2, 0.3, 0.0, 0.5, -0.5, 0.02, 0.02]
state_std = [0.5, 0.5, 0.25, 1.0, 2.0, 2.0, 0.01, 0.01]
act_mean = [0.0, 0.01, -0.01, 0.0, 0.0, 0.1, 0.0]
act_std = [0.02, 0.02, 0.02, 0.1, 0.1, 0.1, 1.0]

# Reference: the exact float32 expressions the config documents.
states = torch.tensor([[0.05 * i + 0.01 * k for k in range(8)] for i in range(3)], dtype=torch.float32)
x = (states - torch.tensor(state_mean)) / torch.tensor(state_std)
with torch.inference_mode():
    y = mlp(x)
actions = y * torch.tensor(act_std) + torch.tensor(act_mean)
(out / "mlp_reference.json").write_text(json.dumps({"states": states.tolist(), "actions": actions.tolist()}))

(out / "mlp_chunk4.yaml").write_text(f"""# state MLP, chunks of 4
inputs:
  - state:
      keys: [eef_pos_x, eef_pos_y, eef_pos_z, eef_axis_angle_x, eef_axis_angle_y, eef_axis_angle_z,
             gripper_qpos_left, gripper_qpos_right]
      mean: {state_mean}
      std: {state_std}
outputs:
  chunk: 4
  dim: 7
  mean: {act_mean}
  std: {act_std}
""")
(out / "mlp_chunk1.yaml").write_text("""inputs:
  - state: {keys: ['0', '1', '2', '3', '4', '5', '6', '7']}
outputs: {chunk: 1, dim: 7}
""")
(out / "wrong_shape.yaml").write_text("""inputs:
  - state: {keys: ['0', '1', '2', '3', '4', '5', '6', '7']}
outputs: {chunk: 1, dim: 7}
""")
(out / "raises.yaml").write_text("""inputs:
  - state: {keys: ['0', '1', '2', '3', '4', '5', '6', '7']}
outputs: {chunk: 1}
""")
(out / "typo.yaml").write_text("""inputs:
  - state: {keys: ['0']}
outputs:
  chunk: 1
  dimm: 7
""")
(out / "vocab.txt").write_text("<pad>\n<unk>\npick\nup\nthe\nred\ncube\n")
(out / "probe.yaml").write_text("""inputs:
  - image: {cameras: [agentview], size: [8, 4], render: [16, 8], channel_order: bgr, pixel_scale: 255,
            mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]}
  - state: {keys: [eef_pos_x, eef_pos_y]}
  - instruction: {tokens: {vocab: vocab.txt, length: 4}}
outputs:
  dim: 7
""")
(out / "embeddings.yaml").write_text(""""pick up the red cube": [1, 2, 3, 4, 5, 6, 7, 8]
"*": [0, 0, 0, 0, 0, 0, 0, 9]
""")
(out / "embedding_probe.yaml").write_text("""inputs:
  - instruction: {embedding: embeddings.yaml}
outputs:
  dim: 7
  gripper: {open: 7, closed: 0}
""")
(out / "embedding_only_cube.yaml").write_text("""inputs:
  - instruction: {embedding: embeddings_cube.yaml}
outputs: {dim: 7}
""")
(out / "embeddings_cube.yaml").write_text(""""pick up the red cube": [1, 2, 3, 4, 5, 6, 7]
""")
(out / "seed_probe.yaml").write_text("""inputs:
  - seed:
outputs: {dim: 7}
""")
print("wrote", out)
