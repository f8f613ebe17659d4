#!/usr/bin/env python3
"""Opens an HTML file in headless Chromium and checks it like a reader's browser would.

    check_html.py FILE.html [--screenshot OUT.png] [--expect-chart NAME ...]
                  [--chromium /usr/bin/chromium] [--timeout 60]

Talks the Chrome DevTools protocol over a pipe (``--remote-debugging-pipe``: requests on
fd 3, replies and events on fd 4, each message JSON ending in a NUL byte), so it needs
nothing beyond the standard library. It enables Runtime, Log and Page, navigates to the
file, waits for the load event, then fails (exit 1, one line per problem) when:

- the console printed anything at level warning or error, or a script threw
  (``Runtime.exceptionThrown``), or the browser logged an error (``Log.entryAdded``), or a
  request failed (the report must not touch the network);
- an expected chart ``svg#chart-NAME`` is missing or has an empty bounding box.

With ``--screenshot`` it writes a full-page PNG. Exit 2 for usage errors or a browser that
does not start or answer.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import pathlib
import select
import shutil
import subprocess
import sys
import tempfile
import time

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]


class BrowserError(Exception):
    """The browser did not start, answer or do what was asked."""


class DevTools:
    """A minimal DevTools client over Chromium's debugging pipe."""

    def __init__(self, chromium: str, profile: str, timeout: float) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # Chromium reads commands on fd 3 and writes on fd 4.
        self._proc = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=(3, 4),
            preexec_fn=lambda: (os.dup2(to_browser_r, 3), os.dup2(from_browser_w, 4)),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.timeout = timeout
        self.events: list[dict] = []

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except BrowserError:
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("timed out waiting for the browser")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                raise BrowserError(f"the browser closed the pipe: {err.strip()[-2000:]}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, session: str | None = None, **params) -> dict:
        """Sends a command and returns its result; events seen meanwhile are kept."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict:
        """Waits for an event (or finds it among those already seen)."""
        deadline = time.monotonic() + self.timeout
        for e in self.events:
            if e.get("method") == method and e.get("sessionId") == session:
                return e
        while True:
            e = self._read_message(deadline)
            self.events.append(e)
            if e.get("method") == method and e.get("sessionId") == session:
                return e


def problems_of(events: list[dict]) -> list[str]:
    """The console messages, exceptions, log errors and failed requests among `events`."""
    out = []
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            out.append(f"console.{p.get('type')}: {text}")
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            out.append(f"exception: {d.get('exception', {}).get('description') or d.get('text')}")
        elif method == "Log.entryAdded":
            entry = p.get("entry", {})
            if entry.get("level") in ("error", "warning"):
                out.append(f"log {entry.get('level')} ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())
        elif method == "Network.loadingFailed":
            out.append(f"request failed: {p.get('errorText')} ({p.get('type')})")
    return out


CHART_BOX = """(() => {
  const boxes = {};
  for (const name of %s) {
    const el = document.getElementById('chart-' + name);
    if (!el) { boxes[name] = null; continue; }
    const r = el.getBoundingClientRect();
    boxes[name] = {tag: el.tagName.toLowerCase(), width: r.width, height: r.height,
                   titled: !!el.querySelector('title'), role: el.getAttribute('role')};
  }
  return JSON.stringify(boxes);
})()"""


def check(args: argparse.Namespace) -> list[str]:
    path = pathlib.Path(args.file).resolve()
    if not path.is_file():
        raise SystemExit(f"check_html: {path}: no such file")
    chromium = args.chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("check_html: chromium not found (tests/browser/ensure_chromium.sh installs it)", file=sys.stderr)
        raise SystemExit(2)
    with tempfile.TemporaryDirectory(prefix="crm-chromium-") as profile:
        browser = DevTools(chromium, profile, args.timeout)
        try:
            target = browser.send("Target.createTarget", url="about:blank")["targetId"]
            session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for domain in ("Runtime", "Log", "Page", "Network"):
                browser.send(f"{domain}.enable", session)
            browser.events.clear()
            browser.send("Emulation.setDeviceMetricsOverride", session, width=1100, height=900,
                         deviceScaleFactor=1, mobile=False)
            nav = browser.send("Page.navigate", session, url=path.as_uri())
            if nav.get("errorText"):
                return [f"navigation failed: {nav['errorText']}"]
            browser.wait_for("Page.loadEventFired", session)
            boxes = json.loads(browser.send("Runtime.evaluate", session, expression=CHART_BOX % json.dumps(args.expect_chart),
                                            returnByValue=True)["result"]["value"])
            # Let late console messages arrive.
            time.sleep(0.3)
            browser.send("Runtime.evaluate", session, expression="1")
            problems = problems_of(browser.events)
            for name in args.expect_chart:
                box = boxes.get(name)
                if box is None:
                    problems.append(f"chart {name}: no element with id chart-{name}")
                elif box["tag"] != "svg" or not box["titled"] or box["role"] != "img":
                    problems.append(f"chart {name}: expected <svg role=img> with a <title>, got {box}")
                elif box["width"] <= 0 or box["height"] <= 0:
                    problems.append(f"chart {name}: empty bounding box {box['width']} x {box['height']}")
            if args.screenshot:
                shot = browser.send("Page.captureScreenshot", session, format="png", captureBeyondViewport=True)
                out = pathlib.Path(args.screenshot)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(base64.b64decode(shot["data"]))
                print(f"check_html: screenshot {out}")
            return problems
        finally:
            browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="the HTML file")
    parser.add_argument("--screenshot", help="write a full-page PNG here")
    parser.add_argument("--expect-chart", action="append", default=[], metavar="NAME",
                        help="a chart svg#chart-NAME that must be drawn (repeatable)")
    parser.add_argument("--chromium", help="the browser binary (default: chromium on PATH)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per browser step")
    args = parser.parse_args()
    try:
        problems = check(args)
    except BrowserError as e:
        print(f"check_html: {e}", file=sys.stderr)
        return 2
    if problems:
        for p in problems:
            print(f"check_html: FAIL {p}", file=sys.stderr)
        return 1
    print(f"check_html: OK {args.file} ({len(args.expect_chart)} charts drawn, no console messages or errors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
