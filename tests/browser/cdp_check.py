#!/usr/bin/python3
"""Opens gauntlet HTML pages in headless Chromium through the DevTools protocol
and reports facts about the live DOM as JSON (the C++ tests assert on them).

usage: cdp_check.py report|leaderboard PAGE.html SCREENSHOT.png

Uses only Debian packages (chromium, python3-websockets). Chromium runs with
the flags the project documents: headless, no sandbox (root), no GPU, no
network-touching background services, a fresh profile.
"""
import asyncio
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websockets


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Page:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.dialogs = []
        self.console_errors = []

    async def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        await self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(await self.ws.recv())
            if msg.get("method") == "Page.javascriptDialogOpening":
                self.dialogs.append(msg["params"].get("message", ""))
                await self.ws.send(json.dumps({"id": 10**6 + len(self.dialogs), "method": "Page.handleJavaScriptDialog",
                                               "params": {"accept": True}}))
            if msg.get("method") == "Runtime.exceptionThrown":
                self.console_errors.append(msg["params"]["exceptionDetails"].get("text", ""))
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    async def js(self, expression):
        r = await self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"JS failed: {expression}: {r['exceptionDetails']}")
        return r["result"].get("value")


ROW_NAMES = """Array.from(document.querySelectorAll('#%s tbody tr')).map(r => r.cells[1].textContent.trim())"""


async def check(kind, page_path, screenshot):
    port = free_port()
    profile = tempfile.mkdtemp(prefix="gauntlet-chromium-")
    chrome = shutil.which("chromium") or "/usr/bin/chromium"
    proc = subprocess.Popen(
        [chrome, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
         f"--remote-debugging-port={port}", "--window-size=1280,1600", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        targets = None
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=1) as r:
                    targets = [t for t in json.load(r) if t.get("type") == "page"]
                if targets:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        if not targets:
            raise RuntimeError("chromium did not start its DevTools endpoint")
        async with websockets.connect(targets[0]["webSocketDebuggerUrl"], max_size=2**26) as ws:
            page = Page(ws)
            await page.call("Page.enable")
            await page.call("Runtime.enable")
            await page.call("Page.navigate", url="file://" + os.path.abspath(page_path))
            for _ in range(100):
                if await page.js("document.readyState") == "complete":
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)  # let an injected onerror (if any) fire
            table = "ranking-table" if kind == "report" else "leaderboard-table"
            out = {"title": await page.js("document.title")}
            out["rows"] = await page.js(ROW_NAMES % table)
            out["img_x"] = await page.js("document.querySelectorAll('img[src=\"x\"]').length")
            out["scripts"] = await page.js("document.scripts.length")
            out["svg_count"] = await page.js("document.querySelectorAll('svg').length")
            out["videos"] = await page.js("document.querySelectorAll('#videos img').length")
            out["sections"] = await page.js("Array.from(document.querySelectorAll('section[id], footer[id]')).map(s => s.id)")
            # Sorting by clicking headers.
            header = "Array.from(document.querySelectorAll('#%s thead th')).find(h => h.textContent.startsWith('%s'))"
            await page.js(f"({header % (table, 'Policy')}).click()")
            out["sorted_by_name_asc"] = await page.js(ROW_NAMES % table)
            await page.js(f"({header % (table, 'Policy')}).click()")
            out["sorted_by_name_desc"] = await page.js(ROW_NAMES % table)
            await page.js(f"({header % (table, 'Success')}).click()")
            out["sorted_by_success_asc"] = await page.js(ROW_NAMES % table)
            out["success_values_asc"] = await page.js(
                "Array.from(document.querySelectorAll('#%s tbody tr')).map(r => parseFloat(r.cells[2].dataset.sort))" % table)
            await page.js(f"({header % (table, 'Rank')}).click()")
            out["sorted_by_rank"] = await page.js(ROW_NAMES % table)
            shot = await page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
            with open(screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            out["dialogs"] = page.dialogs
            out["js_errors"] = page.console_errors
            print(json.dumps(out))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("report", "leaderboard"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    asyncio.run(check(sys.argv[1], sys.argv[2], sys.argv[3]))
