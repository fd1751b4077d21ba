#!/usr/bin/python3
"""Trains a behaviour-cloning policy on `gauntlet record` demonstrations and
saves checkpoints at several stages, each in three forms:

  OUT/epoch_NNN/checkpoint.pt  weights + normalisation stats (bc_policy.py loads it)
  OUT/epoch_NNN/model.pt       the same network exported to TorchScript
  OUT/epoch_NNN/policy.yaml    the torchscript adapter's config for model.pt

Checkpoints from early epochs are weaker policies: a ready-made ladder of
"policies of different quality" for ranking and world-model experiments.

    /usr/bin/python3 examples/bc/train.py --demos demos.h5 --kind cnn --out out/bc/cnn \
        --epochs 40 --save-at 1,5,15,40
"""
import argparse
import json
import pathlib
import sys
import time

import h5py
import numpy as np
import torch
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bc_models  # noqa: E402

PROPRIO_KEYS = ["eef_pos_x", "eef_pos_y", "eef_pos_z", "eef_axis_angle_x", "eef_axis_angle_y",
                "eef_axis_angle_z", "gripper_qpos_left", "gripper_qpos_right"]


def camera_key(camera):
    return "eye_in_hand_rgb" if camera == "wrist" else camera + "_rgb"


def load_demos(paths, chunk, camera, with_images):
    states, targets, images = [], [], []
    for path in paths:
        with h5py.File(path, "r") as f:
            for name in sorted(f["data"].keys(), key=lambda n: int(n.split("_")[1])):
                demo = f["data"][name]
                s = np.asarray(demo["obs"]["proprio"], dtype=np.float32)
                a = np.asarray(demo["actions"], dtype=np.float32)
                t = len(a)
                # Target chunk at step i: actions i .. i+chunk-1, the last one repeated past the end.
                idx = np.minimum(np.arange(t)[:, None] + np.arange(chunk)[None, :], t - 1)
                states.append(s)
                targets.append(a[idx])
                if with_images:
                    key = camera_key(camera)
                    if key not in demo["obs"]:
                        raise SystemExit(f"{path}:{name} has no obs/{key}; record with --camera {camera}")
                    images.append(np.asarray(demo["obs"][key], dtype=np.uint8))
    if not states:
        raise SystemExit("no demonstrations found")
    return (np.concatenate(states), np.concatenate(targets),
            np.concatenate(images) if with_images else None)


def stats(x, axis, floor):
    mean = x.mean(axis=axis).astype(np.float32)
    std = np.maximum(x.std(axis=axis), floor).astype(np.float32)
    return mean, std


def write_config(path, kind, chunk, camera, image_size, st, replan_every):
    inputs = []
    if kind == "cnn":
        inputs.append({"image": {"cameras": [camera], "size": list(image_size), "pixel_scale": 255.0,
                                  "mean": st["image_mean"], "std": st["image_std"]}})
    inputs.append({"state": {"keys": PROPRIO_KEYS, "mean": st["state_mean"], "std": st["state_std"]}})
    config = {"inputs": inputs,
              "outputs": {"chunk": chunk, "dim": 7, "mean": st["action_mean"], "std": st["action_std"]},
              "replan_every": replan_every}
    text = "# Written by examples/bc/train.py: the torchscript adapter's view of model.pt.\n"
    # Floats are the float32 values as Python floats: yaml writes repr(), which
    # round-trips, so the adapter normalises with bit-identical constants.
    path.write_text(text + yaml.safe_dump(config, default_flow_style=None, sort_keys=False, width=100))


def main():
    ap = argparse.ArgumentParser(description="Behaviour cloning on gauntlet demonstrations")
    ap.add_argument("--demos", action="append", required=True, help="demonstration file (repeatable)")
    ap.add_argument("--kind", choices=["mlp", "cnn"], default="mlp")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--save-at", default="", help="epochs to checkpoint, e.g. 1,5,30 (the last is always saved)")
    ap.add_argument("--chunk", type=int, default=4)
    ap.add_argument("--replan-every", type=int, default=2, help="written into policy.yaml")
    ap.add_argument("--camera", default="agentview")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()

    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    states, targets, images = load_demos(a.demos, a.chunk, a.camera, a.kind == "cnn")
    st = {}
    st["state_mean"], st["state_std"] = stats(states, 0, 1e-2)
    st["action_mean"], st["action_std"] = stats(targets.reshape(-1, 7), 0, 1e-3)
    image_size = None
    if images is not None:
        image_size = (images.shape[2], images.shape[1])  # (width, height)
        st["image_mean"], st["image_std"] = stats(images.astype(np.float32) / np.float32(255.0), (0, 1, 2), 1e-2)
    # Normalise exactly as the adapters will: ((x / 255) - mean) / std in float32.
    x_state = torch.from_numpy((states - st["state_mean"]) / st["state_std"])
    y = torch.from_numpy((targets - st["action_mean"]) / st["action_std"])
    x_image = None
    if images is not None:
        norm = (images.astype(np.float32) / np.float32(255.0) - st["image_mean"]) / st["image_std"]
        x_image = torch.from_numpy(np.ascontiguousarray(norm.transpose(0, 3, 1, 2)))
    st = {k: v.tolist() for k, v in st.items()}

    model = bc_models.build(a.kind, a.chunk, hidden=a.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    save_at = {int(e) for e in a.save_at.split(",") if e} | {a.epochs}
    n = len(y)
    print(f"{n} samples from {len(a.demos)} file(s); {a.kind}, chunk {a.chunk}", file=sys.stderr)
    gen = torch.Generator().manual_seed(a.seed)
    log = []
    for epoch in range(1, a.epochs + 1):
        model.train()
        t0 = time.time()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, a.batch):
            b = perm[i:i + a.batch]
            pred = model(x_image[b], x_state[b]) if x_image is not None else model(x_state[b])
            loss = torch.nn.functional.mse_loss(pred, y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        log.append({"epoch": epoch, "loss": total / n, "seconds": time.time() - t0})
        print(f"epoch {epoch}: loss {total / n:.4f}", file=sys.stderr)
        if epoch in save_at:
            model.eval()
            d = out / f"epoch_{epoch:03d}"
            d.mkdir(exist_ok=True)
            torch.save({"kind": a.kind, "chunk": a.chunk, "hidden": a.hidden, "camera": a.camera,
                        "image_size": image_size, "stats": st, "epoch": epoch, "loss": total / n,
                        "state_dict": model.state_dict()}, d / "checkpoint.pt")
            torch.jit.script(model).save(str(d / "model.pt"))
            write_config(d / "policy.yaml", a.kind, a.chunk, a.camera, image_size, st, a.replan_every)
    (out / "training.json").write_text(json.dumps(log, indent=1))


if __name__ == "__main__":
    main()
