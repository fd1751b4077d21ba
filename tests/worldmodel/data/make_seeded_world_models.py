"""Writes two tiny TorchScript world models for the seed tests (32x24 frames).

Run with Debian's python3 (torch 1.13): make_seeded_world_models.py OUT_DIR
seeded.pt takes reset(frames, proprio, seed) and paints every frame a grey
derived from the seed; unseeded.pt has the older reset(frames, proprio) and
paints a fixed grey.
"""
import json
import pathlib
import sys

import torch

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
meta = json.dumps({"kind": "world_model", "camera": "agentview", "image_size": [32, 24]})


def paint(state: torch.Tensor, actions: torch.Tensor):
    b, t = actions.shape[0], actions.shape[1]
    frames = (state.reshape(b, 1, 1, 1, 1) / 255.0).expand(b, t, 3, 24, 32).contiguous()
    return frames, torch.zeros(b, t, 0), state


class Seeded(torch.nn.Module):
    @torch.jit.export
    def reset(self, frames: torch.Tensor, proprio: torch.Tensor, seed: torch.Tensor) -> torch.Tensor:
        # The grey level carries the seed (the state comes back as float32).
        return torch.remainder(seed, 251).to(torch.float32).reshape(-1, 1)

    @torch.jit.export
    def step(self, state: torch.Tensor, actions: torch.Tensor):
        return paint(state, actions)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


class Unseeded(torch.nn.Module):
    @torch.jit.export
    def reset(self, frames: torch.Tensor, proprio: torch.Tensor) -> torch.Tensor:
        return torch.full([frames.shape[0], 1], 100.0)

    @torch.jit.export
    def step(self, state: torch.Tensor, actions: torch.Tensor):
        return paint(state, actions)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


for module, name in ((Seeded(), "seeded.pt"), (Unseeded(), "unseeded.pt")):
    scripted = torch.jit.script(module)
    torch.jit.save(scripted, str(out / name), _extra_files={"gauntlet.json": meta})
