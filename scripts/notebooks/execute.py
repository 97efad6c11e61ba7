"""Executes a notebook headless on the Deno kernel with nbclient.

usage: execute.py NOTEBOOK OUT [--timeout SECONDS]

Writes the executed notebook to OUT (also when a cell fails, so its outputs can be read) and
exits 1 with one line naming the failing cell if any cell raised.
"""
import argparse
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("notebook")
    parser.add_argument("out")
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    client = DenoNotebookClient(
        nb,
        kernel_name="deno",
        timeout=args.timeout,
        startup_timeout=120,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.notebook))}},
    )
    status = 0
    try:
        client.execute()
    except CellExecutionError as error:
        lines = [l for l in str(error).splitlines() if l.strip()]
        # nbclient's message ends with the error name and value; keep it to a line or two.
        summary = next((l for l in reversed(lines) if "Error" in l), lines[-1] if lines else "error")
        index = next((i for i, c in enumerate(nb.cells)
                      if any(o.get("output_type") == "error" for o in c.get("outputs", []))), -1)
        print(f"cell {index}: {summary.strip()}", file=sys.stderr)
        status = 1
    except Exception as error:  # kernel died, timeout
        print(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}",
              file=sys.stderr)
        status = 1
    nbformat.write(nb, args.out)
    return status


if __name__ == "__main__":
    sys.exit(main())
