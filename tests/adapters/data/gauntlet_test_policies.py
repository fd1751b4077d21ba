"""Python policies for the python adapter tests (tests/adapters/python_test.cpp).

Each class exercises one behaviour of the embedded-Python adapter; LAST holds
what the last call saw so the C++ test can inspect it from the same interpreter.
"""
import os
import threading
import time

import numpy as np

LAST = {}


class Constant:
    """Returns [value, 0, ...]; records what it was given."""

    cameras = ["agentview"]
    image_size = (32, 24)

    def __init__(self, value="0.0"):
        self.value = float(value)
        self.tasks = []
        print("Constant policy ready (this line must not reach gauntlet's stdout)")

    def reset(self, task):
        self.tasks.append(dict(task))
        LAST["task"] = dict(task)

    def act(self, obs):
        img = obs["images"]["agentview"]
        LAST["address"] = img.__array_interface__["data"][0]
        LAST["owndata"] = bool(img.flags.owndata)
        LAST["writeable"] = bool(img.flags.writeable)
        LAST["shape"] = tuple(img.shape)
        LAST["pixel"] = int(img[1, 2, 0])
        LAST["proprio"] = obs["proprio"].tolist()
        LAST["proprio_writeable"] = bool(obs["proprio"].flags.writeable)
        LAST["names"] = obs["proprio_names"]
        LAST["instruction"] = obs["instruction"]
        LAST["slot"] = obs["slot"]
        LAST["step"] = obs["step"]
        a = np.zeros(7, dtype=np.float32)
        a[0] = self.value
        return a


class Batched:
    """Only act_batch works; returns chunks of 2."""

    def __init__(self):
        self.batch_sizes = []
        LAST["batched"] = self

    def act(self, obs):
        raise AssertionError("act() must not be called when act_batch exists")

    def act_batch(self, observations):
        self.batch_sizes.append(len(observations))
        out = np.zeros((len(observations), 2, 7), dtype=np.float64)
        for i, o in enumerate(observations):
            out[i, :, 0] = o["slot"]
            out[i, 1, 1] = 0.25
        return out


class BatchFails:
    def act(self, obs):
        return np.zeros(7)

    def act_batch(self, observations):
        raise RuntimeError("the whole batch failed")


class BatchItemError:
    def act(self, obs):
        return np.zeros(7)

    def act_batch(self, observations):
        out = [np.zeros(7) for _ in observations]
        try:
            raise ValueError("item 1 is broken")
        except ValueError as e:
            out[1] = e
        return out


class FailsOnDrawer:
    """Raises for the drawer task; zeros elsewhere."""

    def __init__(self):
        self.task_of_slot = {}

    def reset(self, task):
        self.task_of_slot[task["slot"]] = task["task_id"]

    def act(self, obs):
        if self.task_of_slot[obs["slot"]] == "open-the-drawer":
            raise ValueError("cannot open drawers")
        return np.zeros(7, dtype=np.float32)


class WrongShape:
    def act(self, obs):
        return np.zeros((2, 3, 7))


class GilProbe:
    """A Python thread counts while C++ runs; it advances only without the GIL."""

    def __init__(self):
        self.count = 0
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            self.count += 1
            time.sleep(0.001)

    def act(self, obs):
        a = np.zeros(7)
        a[0] = self.count
        return a


class Stateful:
    """Counts its own calls: with instances=per_slot each slot has its own count."""

    def __init__(self):
        self.calls = 0

    def reset(self, task):
        self.calls = 0

    def act(self, obs):
        self.calls += 1
        a = np.zeros(7)
        a[0] = self.calls
        return a


class RaisesInInit:
    def __init__(self):
        raise FileNotFoundError("checkpoint.pt not found")

    def act(self, obs):
        return np.zeros(7)


class NoAct:
    pass


class WithIdentity:
    def __init__(self, weights="a"):
        self.weights = weights

    def identity(self):
        return "weights-" + self.weights

    def act(self, obs):
        return np.zeros(7)


class SeenToFile:
    """Writes what its first observation looked like to `out` (JSON): image
    shapes, the agentview's corner pixels, proprio and its names. Returns `value`
    in every component."""

    cameras = ["agentview"]
    image_size = (32, 24)

    def __init__(self, out, value="0.0"):
        self.out = out
        self.value = float(value)
        self.written = False

    def act(self, obs):
        if not self.written:
            import json

            img = obs["images"]["agentview"]
            with open(self.out, "w") as f:
                json.dump(
                    {
                        "shape": list(img.shape),
                        "corner": [int(v) for v in img[0, 0]],
                        "centre": [int(v) for v in img[img.shape[0] // 2, img.shape[1] // 2]],
                        "proprio": [float(v) for v in obs["proprio"]],
                        "names": list(obs["proprio_names"]),
                    },
                    f,
                )
            self.written = True
        return np.full(7, self.value, dtype=np.float32)


# --- served through examples/policy_server/openpi_server.py (remote tests) ---


class Echo:
    """Reports what the request carried: image and wrist means (channel 0),
    the first two state entries, the prompt length and the request count."""

    def act(self, obs):
        a = np.zeros((2, 7), dtype=np.float32)
        images = obs["images"]
        if "agentview" in images:
            a[0, 0] = images["agentview"][..., 0].mean()
        if "wrist" in images:
            a[0, 1] = images["wrist"][..., 0].mean()
        state = obs["proprio"][:2]
        a[0, 2 : 2 + len(state)] = state
        a[0, 4] = len(obs["instruction"])
        a[0, 5] = obs["step"]
        if obs.get("seed") is not None:
            a[0, 6] = obs["seed"] % 1000  # the episode seed, when the client sends it
        a[1, :] = 0.001
        return a


class DieOnce:
    """Exits the whole server process at request `calls` if `flag` exists
    (deleting it first), so a restarted server with the same arguments lives."""

    def __init__(self, calls="5", flag=""):
        self.calls = int(calls)
        self.flag = flag
        self.seen = 0

    def act(self, obs):
        self.seen += 1
        if self.seen >= self.calls and self.flag:
            # Two servers may reach their call at once: only the one whose
            # remove succeeds dies, the other lives on.
            try:
                os.remove(self.flag)
            except FileNotFoundError:
                pass
            else:
                os._exit(3)
        return np.zeros(7, dtype=np.float32)


class RaiseOnWord:
    """Raises for prompts that contain `word` (the drawer task by default)."""

    def __init__(self, word="drawer"):
        self.word = word

    def act(self, obs):
        if self.word in obs["instruction"]:
            raise ValueError("no policy for " + obs["instruction"])
        return np.zeros(7, dtype=np.float32)


class Sleepy:
    def __init__(self, seconds="1.0"):
        self.seconds = float(seconds)

    def act(self, obs):
        time.sleep(self.seconds)
        return np.zeros(7, dtype=np.float32)


class SixDims:
    def act(self, obs):
        return np.zeros((1, 6), dtype=np.float32)


class HangAt:
    """Zeros until the episode with index `episode` starts; then its first act
    writes `flag` and never returns: sleeping (`mode=sleep`) or spinning in
    Python (`mode=spin`)."""

    def __init__(self, episode="2", mode="sleep", flag=""):
        self.episode = int(episode)
        self.mode = mode
        self.flag = flag
        self.current = {}

    def reset(self, task):
        self.current[task["slot"]] = task["episode_index"]

    def act(self, obs):
        if self.current.get(obs["slot"], 0) < self.episode:
            return np.zeros(7, dtype=np.float32)
        if self.flag:
            with open(self.flag, "w") as f:
                f.write("hanging\n")
        if self.mode == "spin":
            while True:
                pass
        time.sleep(3600)


class AlwaysRaises:
    """Every call fails the same way, as a policy behind a dead server would."""

    def act(self, obs):
        raise ConnectionError("policy server at ws://127.0.0.1:9 is gone")


class WristOnly:
    """Sees only the wrist camera, at its own 40x30 size (record's settings tests)."""

    cameras = ["wrist"]
    image_size = (40, 30)

    def act(self, obs):
        assert set(obs["images"]) >= {"wrist"}
        assert obs["images"]["wrist"].shape == (30, 40, 3)
        return np.zeros(7, dtype=np.float32)


class OpenpiInfer:
    """An openpi-style policy (BasePolicy.infer on the raw request, a dict back).

    Each action row is [pixel (0,0,0) of observation/image, len(prompt),
    observation/state[0], 0, 0, 0, 0]; a chunk of 3 rows, float64 as numpy
    gives it.
    """

    metadata = {"family": "openpi-infer-test", "action_horizon": 3}

    def infer(self, obs):
        img = obs["observation/image"]
        row = [float(img[0, 0, 0]), float(len(obs["prompt"])), float(obs["observation/state"][0]), 0, 0, 0, 0]
        return {"actions": np.tile(np.array(row), (3, 1)), "policy_timing": {"infer_ms": 0.5}}
