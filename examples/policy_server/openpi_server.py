#!/usr/bin/python3
"""A small policy server speaking the openpi websocket protocol.

It serves to `--policy remote:ws://HOST:PORT`, the way openpi serves VLAs,
either of two kinds of Python class:

* a gauntlet policy (the same class `--policy python:` loads): `act(obs)` on
  the python adapter's observation dict, returning actions;
* an openpi-style policy (openpi_client.base_policy.BasePolicy): `infer(obs)`
  on the request exactly as the client sent it ("observation/image",
  "observation/state", "prompt", ...), returning a dict with "actions" (and
  anything else, sent back as is). Its `metadata` dict, if any, is sent on
  connect. A class with both methods is served through `act`.

The wire format, as openpi's websocket_policy_server.py:

* on connect the server sends a msgpack map of metadata;
* each request is a msgpack map of the observation, numpy arrays encoded as
  maps {b"__ndarray__": True, b"data": bytes, b"dtype": "<f4", b"shape": [...]}
  (openpi_client.msgpack_numpy);
* each reply is a msgpack map with "actions" (chunk, dim) and
  "server_timing": {"infer_ms": ...};
* an exception is sent as a text frame holding the traceback, then the
  connection is closed (code 1011);
* a plain HTTP GET of /healthz is answered 200 "OK\n" (load balancers and
  Kubernetes probes); any other plain request gets websockets' 426.

Built on Debian's python3-websockets (10.x) and python3-msgpack:

    /usr/bin/python3 examples/policy_server/openpi_server.py \
        --policy bc_policy:BCPolicy --path examples/bc --arg checkpoint=out/bc/mlp/epoch_010/checkpoint.pt \
        --port 8000

The protocol has no episode boundaries, so the served policy must not keep
per-episode state (reset() is not called); `step` counts requests per connection.
"""
import argparse
import asyncio
import functools
import http
import importlib
import os
import sys
import time
import traceback

import msgpack
import numpy as np
import websockets

# --- unmasking without websockets' C speedups ---------------------------------
# Debian's python3-websockets ships without websockets.speedups, and its pure
# Python fallback unmasks a 300 KB request (two 224x224 images) in ~0.5 ms.
# numpy does it word-wise, several times faster.


def _numpy_apply_mask(data, mask):
    n = len(data)
    n4 = n - n % 4
    out = np.empty(n, dtype=np.uint8)
    np.bitwise_xor(np.frombuffer(data, np.uint32, n4 // 4), np.frombuffer(mask, np.uint32)[0],
                   out=out[:n4].view(np.uint32))
    for i in range(n4, n):
        out[i] = data[i] ^ mask[i - n4]
    return out.tobytes()


try:
    import websockets.speedups  # noqa: F401  (pip's websockets has it: nothing to do)
except ImportError:
    import websockets.legacy.framing

    websockets.legacy.framing.apply_mask = _numpy_apply_mask

# --- openpi_client.msgpack_numpy, compatible on the wire --------------------


def pack_array(obj):
    if isinstance(obj, (np.ndarray, np.generic)) and obj.dtype.kind in ("V", "O", "c"):
        raise ValueError(f"Unsupported dtype: {obj.dtype}")
    if isinstance(obj, np.ndarray):
        return {b"__ndarray__": True, b"data": obj.tobytes(), b"dtype": obj.dtype.str, b"shape": obj.shape}
    if isinstance(obj, np.generic):
        return {b"__npgeneric__": True, b"data": obj.item(), b"dtype": obj.dtype.str}
    return obj


def unpack_array(obj):
    # openpi packs the keys as bytes; accept str keys too.
    for nd, data, dtype, shape in ((b"__ndarray__", b"data", b"dtype", b"shape"), ("__ndarray__", "data", "dtype", "shape")):
        if nd in obj:
            return np.ndarray(buffer=obj[data], dtype=np.dtype(obj[dtype]), shape=obj[shape])
    if b"__npgeneric__" in obj:
        return np.dtype(obj[b"dtype"]).type(obj[b"data"])
    return obj


packb = functools.partial(msgpack.packb, default=pack_array)
unpackb = functools.partial(msgpack.unpackb, object_hook=unpack_array)

# --- observation keys -> the python-adapter observation dict -----------------

DEFAULT_KEYS = {
    "observation/image": "agentview",
    "observation/wrist_image": "wrist",
}


def to_policy_obs(request, step):
    images = {camera: request[key] for key, camera in DEFAULT_KEYS.items() if key in request}
    state = request.get("observation/state", np.zeros(0, np.float32))
    return {
        "images": images,
        "proprio": np.asarray(state, dtype=np.float32),
        "proprio_names": (),
        "instruction": request.get("prompt", ""),
        "step": step,
        "slot": 0,
        # The episode's seed, when the client sends it (gauntlet's seed_key=seed).
        "seed": int(request["seed"]) if "seed" in request else None,
    }


def is_openpi_policy(policy):
    return callable(getattr(policy, "infer", None)) and not callable(getattr(policy, "act", None))


async def health_check(path, request_headers):
    # websockets' legacy process_request hook: a response tuple ends the
    # request before the websocket handshake, None lets it continue.
    if path == "/healthz":
        return http.HTTPStatus.OK, [("Content-Type", "text/plain")], b"OK\n"
    return None


class PolicyServer:
    def __init__(self, policy, metadata):
        self.policy = policy
        self.metadata = metadata
        self.openpi = is_openpi_policy(policy)

    def infer(self, request, step):
        if self.openpi:
            result = self.policy.infer(request)
            if not isinstance(result, dict) or "actions" not in result:
                raise TypeError(f"{type(self.policy).__name__}.infer() must return a dict with 'actions', "
                                f"got {type(result).__name__}")
            return dict(result)
        actions = np.asarray(self.policy.act(to_policy_obs(request, step)), dtype=np.float32)
        if actions.ndim == 1:
            actions = actions[None, :]
        return {"actions": actions}

    async def handler(self, websocket, path=None):
        await websocket.send(packb(self.metadata))
        step = 0
        while True:
            try:
                request = unpackb(await websocket.recv())
                t0 = time.monotonic()
                reply = self.infer(request, step)
                reply["server_timing"] = {"infer_ms": (time.monotonic() - t0) * 1000.0}
                step += 1
                await websocket.send(packb(reply))
            except websockets.ConnectionClosed:
                break
            except Exception:
                await websocket.send(traceback.format_exc())
                await websocket.close(code=1011, reason="Internal server error. Traceback included in previous frame.")
                raise


def load_policy(spec, paths, args):
    for p in reversed(paths):
        sys.path.insert(0, os.path.abspath(p))
    module_name, _, class_name = spec.rpartition(":")
    if not module_name:
        raise SystemExit(f"--policy must be module:ClassName, got {spec!r}")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(**args)


async def serve(server, host, port, port_file):
    async with websockets.serve(server.handler, host, port, compression=None, max_size=None,
                                process_request=health_check) as ws:
        bound = ws.sockets[0].getsockname()[1]
        if port_file:
            tmp = port_file + ".tmp"
            with open(tmp, "w") as f:
                f.write(str(bound))
            os.replace(tmp, port_file)  # readers never see a partial file
        print(f"serving {server.metadata['policy']} on ws://{host}:{bound}", file=sys.stderr, flush=True)
        await asyncio.Future()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--policy", required=True,
                    help="module:ClassName of a gauntlet Python policy (act) or an openpi-style one (infer)")
    ap.add_argument("--path", action="append", default=[], help="folder to put on sys.path (repeatable)")
    ap.add_argument("--arg", action="append", default=[], help="KEY=VALUE constructor argument (repeatable)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000, help="0 picks a free port (see --port-file)")
    ap.add_argument("--port-file", help="write the bound port here once listening")
    a = ap.parse_args()
    args = dict(kv.split("=", 1) for kv in a.arg)
    policy = load_policy(a.policy, a.path, args)
    metadata = {"policy": a.policy, "args": args}
    if is_openpi_policy(policy) and isinstance(getattr(policy, "metadata", None), dict):
        metadata.update(policy.metadata)
    if hasattr(policy, "identity"):
        metadata["identity"] = str(policy.identity())
    try:
        asyncio.run(serve(PolicyServer(policy, metadata), a.host, a.port, a.port_file))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
