"""A policy that looks through two cameras (tests/integration/video_cli_test.cpp)."""
import numpy as np


class TwoCameras:
    cameras = ["agentview", "wrist"]
    image_size = (48, 32)  # width, height: not square, so a swapped size shows

    def act(self, obs):
        assert obs["images"]["agentview"].shape == (32, 48, 3)
        a = np.zeros(7, dtype=np.float32)
        a[2] = -0.01 if obs["step"] < 10 else 0.0  # move, so frames differ
        return a
