"""Executes notebooks headless on the Deno kernel with nbclient, one after another.

usage: execute.py [--timeout SECONDS] [--cwd DIR] NOTEBOOK OUT [NOTEBOOK OUT ...]

Each notebook runs on a fresh kernel started in DIR (default: the notebook's folder) and is
written to its OUT, also when a cell fails, so its outputs can be read. One JSON line per
notebook goes to stdout: {"notebook": ..., "ok": true} or {"notebook": ..., "ok": false,
"error": "cell N: <one line>"}. Cell timings are not recorded, so outputs carry no clock.
The exit status is 1 if any notebook failed.
"""
import argparse
import json
import os
import queue
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete, CellExecutionError
from nbclient.util import ensure_async


class DenoNotebookClient(NotebookClient):
    """NotebookClient that also keeps a cell's outputs published just after its idle status.

    Under load the Deno kernel can send a cell's execute_result after the `idle` status that
    nbclient takes as the end of the cell; plain nbclient then drops it. We keep reading the
    cell's messages until the channel has been quiet for a moment.
    """

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=0.25))
            except queue.Empty:
                return
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    pass


def execute(path, out, timeout, cwd):
    nb = nbformat.read(path, as_version=4)
    client = DenoNotebookClient(
        nb,
        kernel_name="deno",
        timeout=timeout,
        startup_timeout=120,
        record_timing=False,
        resources={"metadata": {"path": cwd or os.path.dirname(os.path.abspath(path))}},
    )
    result = {"notebook": path, "ok": True}
    try:
        client.execute()
    except CellExecutionError as error:
        lines = [l for l in str(error).splitlines() if l.strip()]
        # nbclient's message ends with the error name and value; keep it to a line.
        summary = next((l for l in reversed(lines) if "Error" in l), lines[-1] if lines else "error")
        index = next((i for i, c in enumerate(nb.cells)
                      if any(o.get("output_type") == "error" for o in c.get("outputs", []))), -1)
        result = {"notebook": path, "ok": False, "error": f"cell {index}: {summary.strip()}"}
    except Exception as error:  # kernel died, timeout
        first = str(error).splitlines()[0] if str(error) else ""
        result = {"notebook": path, "ok": False, "error": f"{type(error).__name__}: {first}"}
    nbformat.write(nb, out)
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--cwd", default=None)
    parser.add_argument("pairs", nargs="+")
    args = parser.parse_args()
    if len(args.pairs) % 2:
        print("error: give NOTEBOOK OUT pairs", file=sys.stderr)
        return 2
    status = 0
    for path, out in zip(args.pairs[::2], args.pairs[1::2]):
        result = execute(path, out, args.timeout, args.cwd)
        print(json.dumps(result), flush=True)
        if not result["ok"]:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
