"""The behaviour-cloning policy of examples/bc as a gauntlet Python policy:
the same weights as model.pt, run eagerly in PyTorch.

    gauntlet run ... --policy python:bc_policy:BCPolicy,path=examples/bc,checkpoint=CKPT.pt
    openpi_server.py --policy bc_policy:BCPolicy --path examples/bc --arg checkpoint=CKPT.pt

It normalises exactly as the torchscript adapter does (float32,
((x / 255) - mean) / std, contiguous NCHW images), so on CPU with one thread
and the same batch size it produces bit-identical actions.
"""
import hashlib
import pathlib
import sys

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bc_models  # noqa: E402


class BCPolicy:
    def __init__(self, checkpoint, threads="1"):
        if int(threads) > 0:
            torch.set_num_threads(int(threads))
        ck = torch.load(checkpoint, map_location="cpu")
        self.kind = ck["kind"]
        self.model = bc_models.build(self.kind, ck["chunk"], hidden=ck.get("hidden", 256))
        self.model.load_state_dict(ck["state_dict"])
        self.model.eval()
        s = {k: np.asarray(v, dtype=np.float32) for k, v in ck["stats"].items()}
        self.stats = s
        self.camera = ck["camera"]
        self.cameras = [self.camera] if self.kind == "cnn" else []
        if self.kind == "cnn":
            self.image_size = tuple(ck["image_size"])
        self._identity = hashlib.sha256(pathlib.Path(checkpoint).read_bytes()).hexdigest()

    def identity(self):
        return self._identity

    def reset(self, task):
        pass  # stateless: every call sees only the current observation

    def act(self, obs):
        return self.act_batch([obs])[0]

    def act_batch(self, observations):
        s = self.stats
        state = (np.stack([o["proprio"] for o in observations]) - s["state_mean"]) / s["state_std"]
        args = [torch.from_numpy(state)]
        if self.kind == "cnn":
            img = np.stack([o["images"][self.camera] for o in observations]).astype(np.float32) / np.float32(255.0)
            img = (img - s["image_mean"]) / s["image_std"]
            # Contiguous NCHW, as the adapter passes it: a permuted (channels-last)
            # tensor would take another convolution kernel.
            args.insert(0, torch.from_numpy(np.ascontiguousarray(img.transpose(0, 3, 1, 2))))
        with torch.inference_mode():
            y = self.model(*args).numpy()
        return y * s["action_std"] + s["action_mean"]
