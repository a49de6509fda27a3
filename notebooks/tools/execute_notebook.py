"""Execute one Jupyter notebook headless with nbclient, without losing Deno-kernel outputs.

Run with the system interpreter (Debian's python3-nbclient lives there):

    /usr/bin/python3 notebooks/tools/execute_notebook.py IN.ipynb OUT.ipynb \
        --cwd notebooks --timeout 900 --kernel deno --drain-seconds 0.5 --summary OUT.json

Why a custom client: the Deno kernel can publish a cell's outputs on IOPub *after* it has
reported `status: idle`; stock nbclient stops listening at idle, so outputs are silently
dropped (measured: 3 of 5 runs of a 6-cell notebook lost outputs). `DrainingNotebookClient`
keeps reading IOPub until `drain_seconds` pass with no message for the cell, and files any
late `stream` / `display_data` / `execute_result` / `error` message under the right cell.

The executed notebook is written even when a cell fails (so the error can be read); the
summary JSON (per-cell output counts and seconds, status, error) is what the Deno driver reads.
Exit status: 0 ok, 1 a cell raised, 2 usage / kernel failure.
"""

import argparse
import asyncio
import json
import os
import sys
import time
from queue import Empty

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellControlSignal, CellExecutionComplete, CellExecutionError
from traitlets import Float


class DrainingNotebookClient(NotebookClient):
    """nbclient that keeps draining IOPub for a quiet period after the kernel reports idle."""

    drain_seconds = Float(
        0.5, help="Seconds of IOPub silence (for this cell) required after idle before moving on."
    ).tag(config=True)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        assert self.kc is not None
        # Phase 1: as stock nbclient — process messages until the kernel reports idle.
        while True:
            msg = await self._get_iopub(None)
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                break
        # Phase 2: keep draining until drain_seconds pass with nothing for this cell.
        quiet_deadline = time.monotonic() + self.drain_seconds
        while True:
            remaining = quiet_deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                msg = await self._get_iopub(remaining)
            except Empty:
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            if msg["msg_type"] == "status":
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                pass
            quiet_deadline = time.monotonic() + self.drain_seconds

    async def _get_iopub(self, timeout):
        result = self.kc.iopub_channel.get_msg(timeout=timeout)
        if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
            return await result
        return result


def _cell_summary(nb, seconds):
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        cells.append(
            {
                "index": index,
                "tags": list(cell.metadata.get("tags", [])),
                "empty": not cell.source.strip(),
                "outputs": len(cell.get("outputs", [])),
                "output_types": [o.get("output_type") for o in cell.get("outputs", [])],
                "has_error": any(o.get("output_type") == "error" for o in cell.get("outputs", [])),
                "seconds": seconds.get(index),
            }
        )
    return cells


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--cwd", required=True, help="kernel working directory")
    parser.add_argument("--kernel", default="deno")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("--drain-seconds", type=float, default=0.5)
    parser.add_argument("--summary", required=True, help="where to write the JSON summary")
    args = parser.parse_args(argv)

    nb = nbformat.read(args.input, as_version=4)
    starts = {}
    seconds = {}

    def on_cell_execute(cell, cell_index):
        starts[cell_index] = time.monotonic()
        sys.stderr.write(f"  cell {cell_index} ...\n")
        sys.stderr.flush()

    def on_cell_executed(cell, cell_index, execute_reply):
        seconds[cell_index] = round(time.monotonic() - starts.get(cell_index, time.monotonic()), 3)

    client = DrainingNotebookClient(
        nb,
        timeout=args.timeout,
        kernel_name=args.kernel,
        drain_seconds=args.drain_seconds,
        allow_errors=False,
        record_timing=True,
        resources={"metadata": {"path": os.path.abspath(args.cwd)}},
        on_cell_execute=on_cell_execute,
        on_cell_executed=on_cell_executed,
    )
    started = time.monotonic()
    status, error, code = "ok", None, 0
    try:
        client.execute()
    except CellExecutionError as exc:
        status, error, code = "cell_error", str(exc), 1
    except (CellControlSignal, Exception) as exc:  # kernel died, timeout, startup failure
        status, error, code = "kernel_error", f"{type(exc).__name__}: {exc}", 2
    elapsed = round(time.monotonic() - started, 3)

    nbformat.write(nb, args.output)
    summary = {
        "status": status,
        "error": error,
        "seconds": elapsed,
        "cells": _cell_summary(nb, seconds),
    }
    with open(args.summary, "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
