"""The small MLP policy the adapter benchmarks (bench_adapters.cpp) run three
ways: as TorchScript (`python3 bench_policies.py OUT_DIR` writes mlp.pt and
mlp.yaml), as a Python policy, and behind examples/policy_server.

The Python class times its own forward() (LAST["model_s"]) so that the
benchmark can subtract the model's time from the adapter's, per call."""
import pathlib
import sys
import time

import numpy as np
import torch

LAST = {"model_s": 0.0}


class MLP(torch.nn.Module):
    def __init__(self, hidden: int = 256, chunk: int = 4):
        super().__init__()
        self.chunk = chunk
        self.net = torch.nn.Sequential(torch.nn.Linear(8, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, hidden),
                                       torch.nn.ReLU(), torch.nn.Linear(hidden, 7 * chunk))

    def forward(self, state: torch.Tensor) -> torch.Tensor:
        return self.net(state).reshape(state.shape[0], self.chunk, 7) * 0.001


class TorchMLP:
    def __init__(self, hidden="256", chunk="4", threads="1"):
        torch.set_num_threads(int(threads))
        torch.manual_seed(0)
        self.model = MLP(int(hidden), int(chunk)).eval()

    def act(self, obs):
        return self.act_batch([obs])[0]

    def act_batch(self, observations):
        x = torch.from_numpy(np.stack([o["proprio"] for o in observations]))
        t0 = time.perf_counter()
        with torch.inference_mode():
            y = self.model(x)
        LAST["model_s"] = time.perf_counter() - t0
        return y.numpy()


if __name__ == "__main__":
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    torch.jit.script(MLP().eval()).save(str(out / "mlp.pt"))
    (out / "mlp.yaml").write_text("inputs:\n  - state: {keys: ['0', '1', '2', '3', '4', '5', '6', '7']}\n"
                                  "outputs: {chunk: 4, dim: 7}\n")
