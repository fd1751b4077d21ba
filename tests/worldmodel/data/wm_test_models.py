"""World models and judges for gauntlet's world-model tests (python: kind).

PaintWorld generates frames of one colour whose red channel counts the steps
since reset and whose green channel follows the cumulative x action; the
judges check what they are given and decide from it, so a test can tell from
the results that frames went from the world model to the judge, that every
step was judged, and that success ended the episode.
"""
import hashlib
import zlib

import numpy as np


class PaintWorld:
    camera = "agentview"
    image_size = (32, 24)
    action_dim = 7

    def __init__(self, **options):
        self.options = options
        self.state = {}

    def identity(self):
        return "paint-world-v1"

    def reset(self, slot, frames, proprio, instruction):
        assert len(frames) == 1, len(frames)
        f = frames[0]
        assert f.shape == (24, 32, 3) and f.dtype == np.uint8, (f.shape, f.dtype)
        assert not f.flags.writeable
        self.state[slot] = [0, 0.0]

    def predict(self, slot, actions):
        s = self.state[slot]
        out = np.zeros((actions.shape[0], 24, 32, 3), dtype=np.uint8)
        for k, a in enumerate(actions):
            s[0] += 1
            s[1] += float(a[0])
            out[k, :, :, 0] = min(s[0], 255)
            out[k, :, :, 1] = int(np.clip(128 + 10 * s[1], 0, 255))
            out[k, :, :, 2] = 7
        return out

    def release(self, slot):
        self.state.pop(slot, None)


class CountingJudge:
    """Success once the episode has `after` generated frames; checks that the
    first frame is the real render and the rest are PaintWorld's."""
    camera = "agentview"
    image_size = (32, 24)
    frames = 0  # the whole episode

    def __init__(self, after="40"):
        self.after = int(after)

    def judge(self, frames, instruction):
        assert isinstance(instruction, str) and instruction
        first = frames[0]
        if len(frames) > 1:
            assert not (first[:, :, 2] == 7).all(), "the first frame must be the simulator's"
        for k, f in enumerate(frames[1:], start=1):
            if not (f[:, :, 2] == 7).all() or int(f[0, 0, 0]) != min(k, 255):
                raise ValueError("frame %d is not the world model's frame %d" % (k, k))
        generated = len(frames) - 1
        return {"success": generated >= self.after, "progress": min(1.0, generated / self.after)}


class BrokenJudge:
    image_size = (32, 24)

    def judge(self, frames, instruction):
        raise RuntimeError("judge exploded")


class PaintReader:
    """A vision policy that checks it sees PaintWorld's frames after the first."""
    cameras = ["agentview"]
    image_size = (32, 24)

    def reset(self, task):
        pass

    def act(self, obs):
        img = obs["images"]["agentview"]
        assert img.shape == (24, 32, 3), img.shape
        painted = bool((img[:, :, 2] == 7).all())
        if obs["step"] > 0 and (not painted or int(img[0, 0, 0]) != min(obs["step"], 255)):
            raise ValueError("step %d: not the world model's frame" % obs["step"])
        if obs["step"] == 0 and painted:
            raise ValueError("the first frame must be the simulator's")
        a = np.zeros(7, dtype=np.float32)
        a[0] = 0.5
        return a


class WristPolicy:
    cameras = ["wrist"]
    image_size = (32, 24)

    def reset(self, task):
        pass

    def act(self, obs):
        return np.zeros(7, dtype=np.float32)


class RampJudge:
    """Success probability n/100 after n generated frames; recommends threshold 0.9."""
    camera = "agentview"
    image_size = (32, 24)
    frames = 0
    threshold = 0.9

    def judge(self, frames, instruction):
        n = len(frames) - 1
        return min(1.0, n / 100.0), min(1.0, n / 100.0)


class NoisyWorld:
    """A stochastic world model: noise frames from a generator seeded at reset
    with the episode's world-model seed (the `seed` keyword)."""
    camera = "agentview"
    image_size = (32, 24)
    action_dim = 7

    def __init__(self):
        self.rng = {}

    def reset(self, slot, frames, proprio, instruction, seed=None):
        assert isinstance(seed, int) and 0 <= seed < 2**64, seed
        self.rng[slot] = np.random.default_rng(seed)

    def predict(self, slot, actions):
        return self.rng[slot].integers(0, 256, size=(actions.shape[0], 24, 32, 3), dtype=np.uint8)


class DigestJudge:
    """Never succeeds; its progress is a digest of the last frame, so results
    files tell whether two episodes saw the same generated frames."""
    camera = "agentview"
    image_size = (32, 24)
    frames = 1

    def judge(self, frames, instruction):
        return 0.0, (zlib.crc32(frames[-1].tobytes()) % 100003) / 100003.0


class MotionWorld:
    """Frames that say whether the arm was commanded to move (green 255 once the
    summed |action| passes 0.5) and carry the episode's world-model seed in
    their first row, so a judge can draw per-episode coins from them."""
    camera = "agentview"
    image_size = (32, 24)
    action_dim = 7

    def __init__(self):
        self.state = {}

    def identity(self):
        return "motion-world-v1"

    def reset(self, slot, frames, proprio, instruction, seed=None):
        self.state[slot] = [0.0, int(seed)]

    def predict(self, slot, actions):
        s = self.state[slot]
        out = np.zeros((actions.shape[0], 24, 32, 3), dtype=np.uint8)
        seed_bytes = np.frombuffer(s[1].to_bytes(8, "little"), dtype=np.uint8)
        for k, a in enumerate(actions):
            s[0] += float(np.abs(a).sum())
            out[k, :, :, 1] = 255 if s[0] > 0.5 else 0
            out[k, 0, :8, 2] = seed_bytes
        return out

    def release(self, slot):
        self.state.pop(slot, None)


class BiasedJudge:
    """A deliberately biased judge of MotionWorld's frames: an episode whose arm
    moved is called a success with probability `sensitivity`, one whose arm
    never moved with probability `false_positive` (a coin per episode from the
    frame, which holds the episode's seed)."""
    camera = "agentview"
    image_size = (32, 24)
    frames = 1

    def __init__(self, sensitivity="0.95", false_positive="0.3"):
        self.se = float(sensitivity)
        self.fp = float(false_positive)

    def identity(self):
        return "biased-judge-se%g-fp%g" % (self.se, self.fp)

    def judge(self, frames, instruction):
        f = frames[-1]
        moved = bool(f[:, :, 1].max() == 255)
        digest = hashlib.sha256(f[0, :8, 2].tobytes()).digest()
        u = int.from_bytes(digest[:8], "little") / 2.0**64
        ok = u < (self.se if moved else self.fp)
        return float(ok), float(moved)
